"""Upstream failures: down -> 503 fast, slow -> 504, breaker opens and recovers by itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from soundstream_testing import wait_until

GatewayFactory = Callable[..., TestClient]

# Bearer token of /metrics (METRICS_TOKEN in conftest.py).
METRICS = {"Authorization": "Bearer test-metrics-token-0123456789abcdef"}


def test_a_closed_port_is_a_503_naming_the_upstream(
    gateway_factory: GatewayFactory, closed_url: str
) -> None:
    gateway = gateway_factory(listening_url=closed_url)
    response = gateway.get("/v1/users/2")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["upstream"] == "listening"
    assert body["instance"] == "/v1/users/2"
    # The other upstreams still answer.
    assert gateway.get("/v1/artists/1").status_code == 200


def test_a_slow_upstream_is_a_504_naming_it(
    gateway_factory: GatewayFactory, upstreams: Any
) -> None:
    gateway = gateway_factory(read_timeout_seconds=0.3)
    upstreams.recommender.delay = 1.0
    response = gateway.get("/v1/models")
    assert response.status_code == 504
    assert response.json()["upstream"] == "recommender"
    assert response.json()["type"].endswith("/upstream-timeout")


def test_writes_are_not_retried_but_idempotent_reads_are(
    gateway_factory: GatewayFactory, upstreams: Any, admin: dict[str, str]
) -> None:
    gateway = gateway_factory(read_timeout_seconds=0.3, upstream_retries=2)
    upstreams.catalog.delay = 1.0
    assert gateway.post("/v1/tags", json={"value": "x"}, headers=admin).status_code == 504
    # A timeout is not a connection error: the write went out exactly once.
    assert len(upstreams.catalog.requests) == 1


def test_the_breaker_opens_then_recovers_by_itself(
    gateway_factory: GatewayFactory, upstreams: Any
) -> None:
    gateway = gateway_factory(
        read_timeout_seconds=0.2, breaker_failure_threshold=2, breaker_reset_seconds=0.5
    )
    upstreams.catalog.delay = 0.5
    assert gateway.get("/v1/tags/1").status_code == 504
    assert gateway.get("/v1/tags/1").status_code == 504
    calls_when_opened = len(upstreams.catalog.requests)

    # Open: refused at once, without calling the upstream.
    refused = gateway.get("/v1/tags/1")
    assert refused.status_code == 503
    assert refused.json()["upstream"] == "catalog"
    assert int(refused.headers["retry-after"]) >= 1
    assert len(upstreams.catalog.requests) == calls_when_opened

    # The upstream is healthy again: after the reset time one trial closes the breaker.
    upstreams.catalog.delay = 0.0
    wait_until(
        lambda: gateway.get("/v1/tags/1").status_code == 200,
        timeout=5,
        what="the breaker to close",
        poll=0.1,
    )
    assert gateway.get("/v1/tags/2").status_code == 200

    metrics = gateway.get("/metrics", headers=METRICS).text
    assert 'gateway_upstream_errors_total{kind="breaker_open",upstream="catalog"}' in metrics
    assert 'gateway_upstream_breaker_open{upstream="catalog"} 0.0' in metrics


def test_an_upstream_down_makes_the_gateway_degraded_not_unavailable(
    gateway_factory: GatewayFactory, closed_url: str
) -> None:
    gateway = gateway_factory(recommender_url=closed_url)
    ready = gateway.get("/ready")
    assert ready.status_code == 200
    assert ready.json()["status"] == "degraded"
    assert ready.json()["checks"]["upstream:recommender"]["status"] == "fail"
    assert ready.json()["checks"]["upstream:catalog"]["status"] == "ok"


def test_aggregates_survive_the_recommender_being_down(
    gateway_factory: GatewayFactory, upstreams: Any, closed_url: str
) -> None:
    gateway = gateway_factory(recommender_url=closed_url)
    detail = (
        b'{"id": 5, "name": "Air", "url": null, "picture_url": null, "is_placeholder": false,'
        b' "listeners": 3, "plays": 30, "tag_assignments": 1,'
        b' "top_tags": [{"id": 1, "value": "french", "count": 1}]}'
    )
    upstreams.catalog.answer("GET", "/artists/5", 200, detail, "application/json")
    page = gateway.get("/v1/artists/5/page")
    assert page.status_code == 200
    body = page.json()
    assert body["artist"]["name"] == "Air"
    assert body["listeners"] == 3
    assert body["similar"] is None
    assert body["unavailable"] == ["recommender"]
    # The enriched recommendations have nothing to show without the recommender: 503.
    failed = gateway.get("/v1/recommendations/users/2")
    assert failed.status_code == 503
    assert failed.json()["upstream"] == "recommender"


def test_redis_down_the_gateway_still_serves(
    gateway_factory: GatewayFactory, closed_url: str
) -> None:
    gateway: TestClient = gateway_factory(redis_url=closed_url.replace("http", "redis") + "/0")
    response = gateway.get("/v1/artists/1")
    assert response.status_code == 200
    assert response.headers["ratelimit-limit"] == "300"
    ready = gateway.get("/ready").json()
    assert ready["status"] == "degraded"
    assert ready["checks"]["redis"]["status"] == "fail"
