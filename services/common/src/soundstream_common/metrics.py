"""Prometheus metrics of every service: requests, latencies, cache lookups; ``/metrics``.

Each application has a registry of its own (several apps in one test process never mix).
The chassis counts every HTTP request by method, route template and status, times it, and
reads the response cache's hit and miss counters at scrape time; a service may add its
own registries (the gateway's upstream, breaker and rate-limit metrics).

``/metrics`` is not public: it answers only with ``Authorization: Bearer <token>``, the
token being the service's ``<PREFIX>METRICS_TOKEN``; without a token configured it is off
(404). Prometheus sends it with ``authorization: {credentials_file: ...}`` (see
``infra/prometheus/prometheus.yml``).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable, Iterator
from typing import Any

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client import generate_latest as _generate_latest
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector
from pydantic import SecretStr
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from soundstream_common.errors import problem_response

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class ServiceMetrics:
    """The chassis metrics of one application."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "soundstream_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "soundstream_http_request_duration_seconds",
            "Time to answer an HTTP request, by method and route template.",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.extra: list[CollectorRegistry] = []

    def exposition(self) -> bytes:
        """The text format of every registry of the application."""
        return b"".join(_generate_latest(registry) for registry in [self.registry, *self.extra])


class CacheCollector(Collector):
    """The response cache's lookups, read from its counters when scraped (once it exists)."""

    def __init__(self) -> None:
        self.cache: Any = None

    def watch(self, cache: Any) -> None:
        self.cache = cache

    def collect(self) -> Iterator[CounterMetricFamily]:
        family = CounterMetricFamily(
            "soundstream_cache_lookups",
            "Response cache lookups in Redis, by result (hit, miss).",
            labels=["result"],
        )
        cache = self.cache
        family.add_metric(["hit"], float(cache.hits if cache is not None else 0))
        family.add_metric(["miss"], float(cache.misses if cache is not None else 0))
        yield family

    def describe(self) -> Iterable[CounterMetricFamily]:
        return []


class HTTPMetricsMiddleware:
    """Counts and times every HTTP request under the route template it matched."""

    def __init__(self, app: ASGIApp, metrics: ServiceMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            template = getattr(scope.get("route"), "path", "unmatched")
            method = scope.get("method", "-")
            self.metrics.requests.labels(method, template, str(status)).inc()
            self.metrics.latency.labels(method, template).observe(time.perf_counter() - started)


def token_matches(header: str | None, token: SecretStr | None) -> bool:
    """``Authorization: Bearer <token>`` against the configured token, in constant time."""
    if token is None or not token.get_secret_value() or header is None:
        return False
    scheme, _, credentials = header.partition(" ")
    return scheme.lower() == "bearer" and secrets.compare_digest(
        credentials.strip().encode(), token.get_secret_value().encode()
    )


def metrics_router(
    service_metrics: ServiceMetrics, token: SecretStr | None, env_name: str
) -> APIRouter:
    """``GET /metrics`` (``service_metrics``) for the holder of ``token`` (absent: 404,
    metrics off)."""
    router = APIRouter(tags=["health"])

    @router.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        if token is None or not token.get_secret_value():
            return problem_response(
                request, status=404, slug="not-found", detail=f"Metrics are off: set {env_name}."
            )
        if not token_matches(request.headers.get("authorization"), token):
            return problem_response(
                request,
                status=401,
                slug="metrics-token-required",
                title="Metrics token required",
                detail="Send Authorization: Bearer <the metrics token>.",
                headers={"WWW-Authenticate": "Bearer"},
            )
        return Response(service_metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    return router
