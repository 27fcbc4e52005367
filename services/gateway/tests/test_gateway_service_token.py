"""The gateway holds the service token: every upstream call carries it, clients never need it."""

from __future__ import annotations

import secrets

from soundstream_common.service_token import SERVICE_TOKEN_HEADER

from .conftest import FakeUpstreams, GatewayFactory

TOKEN = secrets.token_hex(32)


def test_every_upstream_call_carries_the_service_token(
    gateway_factory: GatewayFactory, upstreams: FakeUpstreams
) -> None:
    gateway = gateway_factory(service_token=TOKEN, response_cache=False)

    for path in ("/v1/tags/1", "/v1/users/1", "/v1/artists/1/similar"):
        assert gateway.get(path).status_code == 200

    calls = [r for fake in upstreams.all() for r in fake.requests if r.path != "/health"]
    assert {r.path for r in calls} >= {"/tags/1", "/users/1"}
    assert {r.headers.get(SERVICE_TOKEN_HEADER.lower()) for r in calls} == {TOKEN}


def test_a_client_cannot_replace_the_token_the_gateway_sends(
    gateway_factory: GatewayFactory, upstreams: FakeUpstreams
) -> None:
    gateway = gateway_factory(service_token=TOKEN, response_cache=False)

    answered = gateway.get("/v1/tags/1", headers={SERVICE_TOKEN_HEADER: "forged"})

    assert answered.status_code == 200
    (call,) = [r for r in upstreams.catalog.requests if r.path == "/tags/1"]
    assert call.headers[SERVICE_TOKEN_HEADER.lower()] == TOKEN


def test_the_gateway_itself_does_not_ask_its_clients_for_the_token(
    gateway_factory: GatewayFactory,
) -> None:
    gateway = gateway_factory(service_token=TOKEN)

    assert gateway.get("/v1/tags/1").status_code == 200
