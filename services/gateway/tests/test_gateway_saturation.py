"""The breaker counts the upstream's failures only: a gateway out of pooled connections answers
503 gateway-busy and leaves the breaker closed; a trial call that fails in an unexpected way
never leaves the breaker stuck half-open."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi.testclient import TestClient

from soundstream_testing import wait_until

GatewayFactory = Callable[..., TestClient]
JSON = "application/json"

# Bearer token of /metrics (METRICS_TOKEN in conftest.py).
METRICS = {"Authorization": "Bearer test-metrics-token-0123456789abcdef"}


def test_waiting_for_a_pooled_connection_is_not_an_upstream_failure(
    gateway_factory: GatewayFactory, upstreams: Any
) -> None:
    gateway = gateway_factory(
        upstream_max_connections=1,
        upstream_pool_timeout_seconds=0.05,
        breaker_failure_threshold=1,
        response_cache=False,
    )
    upstreams.catalog.delay = 0.5
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda i: gateway.get(f"/v1/tags/{i}"), range(1, 5)))
    statuses = sorted(answer.status_code for answer in answers)
    assert 200 in statuses
    busy = [answer.json() for answer in answers if answer.status_code == 503]
    assert busy, statuses
    assert {problem["type"].rsplit("/", 1)[-1] for problem in busy} == {"gateway-busy"}
    assert all(answer.headers.get("retry-after") for answer in answers if answer.status_code == 503)
    # The catalog itself never failed: its breaker stayed closed.
    upstreams.catalog.delay = 0.0
    assert gateway.get("/v1/tags/9").status_code == 200
    metrics = gateway.get("/metrics", headers=METRICS).text
    assert 'gateway_upstream_breaker_open{upstream="catalog"} 0.0' in metrics
    assert 'gateway_upstream_errors_total{kind="pool",upstream="catalog"}' in metrics


def test_an_unreadable_answer_in_the_trial_call_does_not_stick_the_breaker(
    gateway_factory: GatewayFactory, upstreams: Any
) -> None:
    gateway = gateway_factory(
        breaker_failure_threshold=1, breaker_reset_seconds=0.2, response_cache=False
    )
    garbage = ("GET", "/tags/1", 200, b"not gzip at all", JSON, {"content-encoding": "gzip"})
    upstreams.catalog.answer(*garbage)
    first = gateway.get("/v1/tags/1")
    assert first.status_code == 502
    assert first.json()["upstream"] == "catalog"

    def trial_failed() -> bool:
        trial = gateway.get("/v1/tags/1")
        assert trial.status_code in (502, 503), trial.text
        return bool(trial.status_code == 502)

    # Open, then half-open: the trial fails the same way, and the breaker opens again.
    wait_until(trial_failed, timeout=10, what="a trial call to go out")
    # The catalog heals: a later trial closes the breaker.
    upstreams.catalog.answer("GET", "/tags/1", 200, b'{"id": 1}', JSON)
    wait_until(
        lambda: gateway.get("/v1/tags/1").status_code == 200,
        timeout=10,
        what="the breaker to close on a healthy catalog",
    )
