"""Rate limits (Redis, per key or address), the response cache and ETags, and the edge:
body size limit, security headers, CORS, metrics."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import redis
from fastapi.testclient import TestClient

from gateway.cache import ResponseCache

GatewayFactory = Callable[..., TestClient]
KeyMaker = Callable[..., str]

# Bearer token of /metrics (METRICS_TOKEN in conftest.py).
METRICS = {"Authorization": "Bearer test-metrics-token-0123456789abcdef"}


def test_rate_limit_headers_then_429_with_retry_after(gateway_factory: GatewayFactory) -> None:
    gateway = gateway_factory(rate_limit_anonymous=3)
    remaining = []
    for _ in range(3):
        response = gateway.get("/v1/artists/1")
        assert response.status_code == 200
        assert response.headers["ratelimit-limit"] == "3"
        assert 1 <= int(response.headers["ratelimit-reset"]) <= 60
        remaining.append(int(response.headers["ratelimit-remaining"]))
    assert remaining == [2, 1, 0]
    refused = gateway.get("/v1/artists/1")
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.headers["ratelimit-remaining"] == "0"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert (
        'gateway_rate_limited_total{scope="anonymous"} 1.0'
        in gateway.get("/metrics", headers=METRICS).text
    )


def test_limits_are_per_key_and_per_scope(
    gateway_factory: GatewayFactory, make_key: KeyMaker
) -> None:
    gateway = gateway_factory(rate_limit_anonymous=2, rate_limit_read=4)
    reader = {"X-API-Key": make_key(gateway, "read")}
    for _ in range(2):
        gateway.get("/v1/tags/1")
    assert gateway.get("/v1/tags/1").status_code == 429
    # The key has its own counter and its scope's limit.
    answered = gateway.get("/v1/tags/1", headers=reader)
    assert answered.status_code == 200
    assert answered.headers["ratelimit-limit"] == "4"
    assert answered.headers["ratelimit-remaining"] == "3"


def test_counters_live_in_redis_shared_by_every_gateway_process(
    gateway_factory: GatewayFactory,
) -> None:
    first = gateway_factory(rate_limit_anonymous=3)
    second = gateway_factory(rate_limit_anonymous=3)
    first.get("/v1/tags/1")
    first.get("/v1/tags/1")
    assert second.get("/v1/tags/1").headers["ratelimit-remaining"] == "0"
    assert second.get("/v1/tags/1").status_code == 429


def test_without_redis_each_process_still_limits(
    gateway_factory: GatewayFactory, closed_url: str
) -> None:
    gateway = gateway_factory(
        rate_limit_anonymous=2, redis_url=closed_url.replace("http", "redis") + "/0"
    )
    assert gateway.get("/v1/tags/1").status_code == 200
    assert gateway.get("/v1/tags/1").status_code == 200
    assert gateway.get("/v1/tags/1").status_code == 429


def test_public_gets_are_cached_with_etags(gateway: TestClient, upstreams: Any) -> None:
    first = gateway.get("/v1/artists/1/tags?limit=5")
    second = gateway.get("/v1/artists/1/tags?limit=5")
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert len(upstreams.catalog.requests) == 1
    etag = first.headers["etag"]
    assert etag == second.headers["etag"]
    assert etag.startswith('"')
    not_modified = gateway.get("/v1/artists/1/tags?limit=5", headers={"If-None-Match": etag})
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert not_modified.headers["etag"] == etag
    other = gateway.get("/v1/artists/1/tags?limit=6")
    assert other.status_code == 200
    assert len(upstreams.catalog.requests) == 2
    metrics = gateway.get("/metrics", headers=METRICS).text
    assert 'gateway_cache_lookups_total{result="hit"} 2.0' in metrics
    assert 'gateway_cache_lookups_total{result="miss"} 2.0' in metrics


def test_a_write_through_the_gateway_makes_cached_answers_stale(
    gateway: TestClient, upstreams: Any, admin: dict[str, str]
) -> None:
    gateway.get("/v1/tags/3")
    gateway.get("/v1/tags/3")
    assert len(upstreams.catalog.requests) == 1
    assert gateway.patch("/v1/tags/3", json={"value": "new"}, headers=admin).status_code == 200
    gateway.get("/v1/tags/3")
    assert [r.method for r in upstreams.catalog.requests] == ["GET", "PATCH", "GET"]


def test_errors_and_run_states_are_not_cached(gateway: TestClient, upstreams: Any) -> None:
    upstreams.catalog.answer("GET", "/tags/9", 404, b'{"status": 404}', "application/problem+json")
    gateway.get("/v1/tags/9")
    gateway.get("/v1/tags/9")
    gateway.get("/v1/jobs/runs/abc")
    gateway.get("/v1/jobs/runs/abc")
    assert len(upstreams.catalog.requests) == 2
    assert len(upstreams.recommender.requests) == 2


def test_without_redis_answers_are_uncached(
    gateway_factory: GatewayFactory, upstreams: Any, closed_url: str
) -> None:
    gateway = gateway_factory(redis_url=closed_url.replace("http", "redis") + "/0")
    gateway.get("/v1/tags/1")
    second = gateway.get("/v1/tags/1")
    assert second.status_code == 200
    assert "etag" in second.headers
    assert len(upstreams.catalog.requests) == 2


def test_cache_entries_expire(gateway: TestClient, redis_url: str) -> None:
    gateway.get("/v1/tags/1")
    client = redis.Redis.from_url(redis_url)
    (key,) = client.keys("gateway:cache:entry:*")
    assert 0 < client.ttl(key) <= 5


def test_oversized_bodies_are_413(
    gateway_factory: GatewayFactory, upstreams: Any, admin: dict[str, str]
) -> None:
    gateway = gateway_factory(max_body_bytes=100)
    response = gateway.post("/v1/artists", json={"name": "x" * 200}, headers=admin)
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 413
    assert response.headers["x-request-id"]

    def chunks() -> Any:
        yield b'{"name": "'
        yield b"y" * 200
        yield b'"}'

    streamed = gateway.post(
        "/v1/artists", content=chunks(), headers={**admin, "content-type": "application/json"}
    )
    assert streamed.status_code == 413
    assert upstreams.catalog.requests == []


def test_security_headers_on_every_answer(gateway: TestClient) -> None:
    for path in ("/v1/tags/1", "/v1/nothing", "/health"):
        headers = gateway.get(path).headers
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["content-security-policy"].startswith("default-src 'none'")
    for page in ("/docs", "/redoc"):
        docs = gateway.get(page)
        assert docs.status_code == 200
        # The documentation pages' own policy: their scripts and styles, from the gateway only.
        assert docs.headers["content-security-policy"].startswith("default-src 'self';")


def test_cors_is_off_by_default_and_configurable(gateway_factory: GatewayFactory) -> None:
    origin = {"Origin": "https://app.example"}
    closed = gateway_factory()
    assert "access-control-allow-origin" not in closed.get("/v1/tags/1", headers=origin).headers
    opened = gateway_factory(cors_origins=["https://app.example"])
    answer = opened.get("/v1/tags/1", headers=origin)
    assert answer.headers["access-control-allow-origin"] == "https://app.example"
    assert "RateLimit-Remaining" in answer.headers["access-control-expose-headers"]
    preflight = opened.options(
        "/v1/tags",
        headers={
            **origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "x-api-key",
        },
    )
    assert preflight.status_code == 200


def test_metrics_count_requests_by_route_template(gateway: TestClient) -> None:
    gateway.get("/v1/artists/1")
    gateway.get("/v1/artists/2")
    metrics = gateway.get("/metrics", headers=METRICS)
    assert metrics.headers["content-type"].startswith("text/plain")
    text = metrics.text
    assert (
        'gateway_requests_total{method="GET",route="/v1/artists/{artist_id}",status="200"} 2.0'
        in text
    )
    assert (
        'gateway_request_duration_seconds_count{method="GET",route="/v1/artists/{artist_id}"}'
        in text
    )
    # The chassis' request metrics, the same in every service.
    assert (
        'soundstream_http_requests_total{method="GET",route="/v1/artists/{artist_id}",'
        'status="200"} 2.0' in text
    )
    assert 'gateway_upstream_duration_seconds_count{upstream="catalog"} 2.0' in text


def test_metrics_are_not_public(gateway_factory: GatewayFactory) -> None:
    gateway = gateway_factory()
    for headers in (
        {},
        {"Authorization": "Bearer wrong"},
        {"X-API-Key": "ss_bootstrap_" + "k" * 40},
    ):
        refused = gateway.get("/metrics", headers=headers)
        assert refused.status_code == 401, headers
        assert refused.headers["content-type"] == "application/problem+json"
        assert "gateway_requests_total" not in refused.text

    without_token = gateway_factory(metrics_token=None).get("/metrics", headers=METRICS)
    assert without_token.status_code == 404
    assert "GATEWAY_METRICS_TOKEN" in without_token.json()["detail"]


def test_far_from_the_limit_requests_reach_redis_in_batches(
    gateway_factory: GatewayFactory, redis_url: str
) -> None:
    gateway = gateway_factory(rate_limit_anonymous=1000)
    remaining = [int(gateway.get("/v1/tags/1").headers["ratelimit-remaining"]) for _ in range(40)]
    assert remaining == list(range(999, 959, -1))
    (key,) = redis.Redis.from_url(redis_url).keys("gateway:ratelimit:*")
    shared = int(redis.Redis.from_url(redis_url).get(key) or 0)
    assert 40 - 16 <= shared <= 40


def test_answers_held_in_process_keep_every_edge_header(
    gateway: TestClient, upstreams: Any
) -> None:
    gateway.get("/v1/tags/5")
    held = gateway.get("/v1/tags/5", headers={"x-request-id": "held-1"})
    assert held.status_code == 200
    assert len(upstreams.catalog.requests) == 1
    assert held.headers["x-request-id"] == "held-1"
    assert held.headers["x-content-type-options"] == "nosniff"
    assert int(held.headers["ratelimit-remaining"]) == int(held.headers["ratelimit-limit"]) - 2
    assert held.headers["etag"]
    metrics = gateway.get("/metrics", headers=METRICS).text
    assert 'gateway_requests_total{method="GET",route="/v1/tags/{tag_id}",status="200"} 2.0' in (
        metrics
    )


def test_held_answers_still_check_keys_and_public_reads(
    gateway_factory: GatewayFactory, make_key: KeyMaker
) -> None:
    gateway = gateway_factory(public_reads=False)
    reader = {"X-API-Key": make_key(gateway, "read")}
    assert gateway.get("/v1/tags/5", headers=reader).status_code == 200
    assert gateway.get("/v1/tags/5").status_code == 401
    assert gateway.get("/v1/tags/5", headers={"X-API-Key": "ss_x_forged"}).status_code == 401
    assert gateway.get("/v1/tags/5", headers=reader).status_code == 200


@pytest.fixture
def no_local_copies(monkeypatch: pytest.MonkeyPatch) -> None:
    """No process holds an answer, and each request reads the generation: every read looks
    in Redis."""
    monkeypatch.setattr(ResponseCache, "LOCAL_BYTES", 0)
    monkeypatch.setattr(ResponseCache, "GENERATION_SECONDS", 0.0)


@pytest.mark.usefixtures("no_local_copies")
def test_once_the_local_copy_expired_the_shared_entry_answers_with_every_edge_header(
    gateway: TestClient, upstreams: Any
) -> None:
    first = gateway.get("/v1/tags/5")
    again = gateway.get("/v1/tags/5", headers={"x-request-id": "shared-1"})
    assert again.status_code == 200
    assert again.content == first.content
    assert len(upstreams.catalog.requests) == 1
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["x-request-id"] == "shared-1"
    assert int(again.headers["ratelimit-remaining"]) == int(again.headers["ratelimit-limit"]) - 2
    metrics = gateway.get("/metrics", headers=METRICS).text
    assert 'gateway_requests_total{method="GET",route="/v1/tags/{tag_id}",status="200"} 2.0' in (
        metrics
    )


def test_a_write_by_another_gateway_process_is_seen_once_the_generation_is_read_again(
    gateway_factory: GatewayFactory,
    upstreams: Any,
    admin: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ResponseCache, "GENERATION_SECONDS", 0.0)
    reader, writer = gateway_factory(), gateway_factory()
    reader.get("/v1/tags/3")
    reader.get("/v1/tags/3")  # held by the reader's process
    assert writer.patch("/v1/tags/3", json={"value": "new"}, headers=admin).status_code == 200
    reader.get("/v1/tags/3")
    assert [r.method for r in upstreams.catalog.requests] == ["GET", "PATCH", "GET"]


def test_a_held_answer_is_served_without_redis_while_the_generation_holds(
    gateway: TestClient, upstreams: Any, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ResponseCache, "GENERATION_SECONDS", 3600.0)
    first = gateway.get("/v1/tags/4")
    client = redis.Redis.from_url(redis_url)
    client.delete(*client.keys("gateway:cache:entry:*"))  # only this process holds it now
    held = gateway.get("/v1/tags/4")
    assert held.status_code == 200
    assert held.content == first.content
    assert len(upstreams.catalog.requests) == 1
