"""The dashboard's key is declared by the deployment: the gateway accepts it with the read
scope from its first start, with nothing made through a running gateway (no circular step)."""

from __future__ import annotations

import secrets
from typing import Any

from .conftest import GatewayFactory

DASHBOARD_KEY = secrets.token_hex(32)


def test_the_declared_dashboard_key_reads_without_being_created(
    gateway_factory: GatewayFactory, upstreams: Any
) -> None:
    gateway = gateway_factory(public_reads=False, dashboard_api_key=DASHBOARD_KEY)
    dashboard = {"X-API-Key": DASHBOARD_KEY}

    assert gateway.get("/v1/artists/1").status_code == 401
    answered = gateway.get("/v1/artists/1", headers=dashboard)
    assert answered.status_code == 200
    assert answered.headers["ratelimit-limit"] == "600"  # the read scope's limit
    bearer = gateway.get("/v1/artists/1", headers={"Authorization": f"Bearer {DASHBOARD_KEY}"})
    assert bearer.status_code == 200


def test_the_declared_dashboard_key_is_read_only(
    gateway_factory: GatewayFactory, upstreams: Any
) -> None:
    gateway = gateway_factory(dashboard_api_key=DASHBOARD_KEY)
    dashboard = {"X-API-Key": DASHBOARD_KEY}

    assert gateway.post("/v1/tags", json={"value": "x"}, headers=dashboard).status_code == 403
    assert gateway.get("/v1/keys", headers=dashboard).status_code == 403
    assert gateway.post("/v1/keys", json={"name": "x"}, headers=dashboard).status_code == 403


def test_without_a_declared_key_that_key_is_just_wrong(
    gateway_factory: GatewayFactory, upstreams: Any
) -> None:
    gateway = gateway_factory()

    assert gateway.get("/v1/artists/1", headers={"X-API-Key": DASHBOARD_KEY}).status_code == 401
