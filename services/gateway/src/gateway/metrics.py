"""Prometheus metrics of the gateway, in a registry of its own (one per application).

Served at ``/metrics`` by the chassis (:mod:`soundstream_common.metrics`), beside the
request metrics every service has.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class GatewayMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "gateway_requests",
            "Requests answered, by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "gateway_request_duration_seconds",
            "Time to answer a request, by method and route template.",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.upstream_latency = Histogram(
            "gateway_upstream_duration_seconds",
            "Time of calls to an upstream service.",
            ["upstream"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.upstream_errors = Counter(
            "gateway_upstream_errors",
            "Failed upstream calls by kind (connect, timeout, breaker_open, status_5xx).",
            ["upstream", "kind"],
            registry=self.registry,
        )
        self.breaker_open = Gauge(
            "gateway_upstream_breaker_open",
            "1 while an upstream's circuit breaker refuses calls.",
            ["upstream"],
            registry=self.registry,
        )
        self.cache = Counter(
            "gateway_cache_lookups",
            "Response cache lookups by result (hit, miss, not_modified, bypass).",
            ["result"],
            registry=self.registry,
        )
        self.rate_limited = Counter(
            "gateway_rate_limited",
            "Requests refused by the rate limiter, by scope.",
            ["scope"],
            registry=self.registry,
        )
