"""Upstream clients: one pooled ``httpx.AsyncClient`` per upstream, with a circuit breaker.

Failures become problem+json naming the upstream: connection refused, reset or not opened in
time -> 503 (after retrying idempotent requests); no answer within the read timeout -> 504;
breaker open -> 503 at once, with ``Retry-After``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import Any

import httpx
from loguru import logger

from gateway.breaker import BreakerState, CircuitBreaker
from gateway.config import Settings
from gateway.metrics import GatewayMetrics
from soundstream_common.context import request_id_var
from soundstream_common.errors import ProblemError

CATALOG = "catalog"
LISTENING = "listening"
RECOMMENDER = "recommender"

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRY_PAUSE_SECONDS = 0.05
# Answers that say the upstream itself is unwell: they count against its breaker.
UNHEALTHY_STATUSES = frozenset({502, 503, 504})


class UpstreamError(ProblemError):
    """An upstream could not answer; the body names it (``upstream``)."""

    def __init__(self, upstream: str, detail: str, *, retry_after: float | None = None) -> None:
        super().__init__(detail, upstream=upstream)
        self.upstream = upstream
        self.retry_after = retry_after


class UpstreamUnavailableError(UpstreamError):
    status, slug, title = 503, "upstream-unavailable", "An upstream service is unavailable"


class UpstreamTimeoutError(UpstreamError):
    status, slug, title = 504, "upstream-timeout", "An upstream service timed out"


class UpstreamClient:
    def __init__(self, name: str, base_url: str, settings: Settings, metrics: GatewayMetrics):
        self.name = name
        self.base_url = base_url
        self.retries = settings.upstream_retries
        self.metrics = metrics
        self.breaker = CircuitBreaker(
            failure_threshold=settings.breaker_failure_threshold,
            reset_seconds=settings.breaker_reset_seconds,
        )
        self.http = httpx.AsyncClient(
            base_url=base_url,
            timeout=httpx.Timeout(
                connect=settings.connect_timeout_seconds,
                read=settings.read_timeout_seconds,
                write=settings.read_timeout_seconds,
                pool=settings.connect_timeout_seconds,
            ),
            limits=httpx.Limits(
                max_connections=settings.upstream_max_connections,
                max_keepalive_connections=settings.upstream_max_connections,
            ),
            follow_redirects=False,
        )

    async def aclose(self) -> None:
        await self.http.aclose()

    async def request(
        self,
        method: str,
        path: str,
        *,
        query: str | Mapping[str, Any] | None = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Send one request (retrying idempotent ones on connection errors)."""
        if not self.breaker.allow():
            self.metrics.upstream_errors.labels(self.name, "breaker_open").inc()
            raise UpstreamUnavailableError(
                self.name,
                f"The {self.name} service is failing; calls are paused for a few seconds.",
                retry_after=self.breaker.retry_after() or 1.0,
            )
        sent_headers = dict(headers or {})
        request_id = request_id_var.get()
        if request_id:
            sent_headers["x-request-id"] = request_id
        # A query string is sent as received (its encoding untouched); a mapping is encoded.
        url, params = (
            (f"{path}?{query}" if query else path, None)
            if isinstance(query, str)
            else (path, query)
        )
        attempts = 1 + (self.retries if method.upper() in IDEMPOTENT_METHODS else 0)
        started = time.perf_counter()
        try:
            for attempt in range(attempts):
                try:
                    response = await self.http.request(
                        method, url, params=params, content=content, headers=sent_headers
                    )
                    break
                except (httpx.ConnectError, httpx.ConnectTimeout, httpx.RemoteProtocolError):
                    if attempt + 1 >= attempts:
                        raise
                    await asyncio.sleep(RETRY_PAUSE_SECONDS)
        except (httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            self._failed("connect")
            raise self._unavailable(exc) from exc
        except httpx.TimeoutException as exc:
            self._failed("timeout")
            raise UpstreamTimeoutError(
                self.name, f"The {self.name} service did not answer in time."
            ) from exc
        except httpx.TransportError as exc:
            self._failed("connect")
            raise self._unavailable(exc) from exc
        finally:
            self.metrics.upstream_latency.labels(self.name).observe(time.perf_counter() - started)
        if response.status_code in UNHEALTHY_STATUSES:
            self._failed(f"status_{response.status_code}")
        else:
            self.breaker.record_success()
            self.metrics.breaker_open.labels(self.name).set(0)
        return response

    def _unavailable(self, exc: Exception) -> UpstreamUnavailableError:
        return UpstreamUnavailableError(
            self.name, f"The {self.name} service is unreachable ({type(exc).__name__})."
        )

    def _failed(self, kind: str) -> None:
        self.metrics.upstream_errors.labels(self.name, kind).inc()
        was_open = self.breaker.state is not BreakerState.closed
        self.breaker.record_failure()
        if self.breaker.state is BreakerState.open:
            self.metrics.breaker_open.labels(self.name).set(1)
            if not was_open:
                logger.warning("circuit breaker for {} opened after {}", self.name, kind)


class Upstreams:
    """The three upstream clients, created in the application's lifespan."""

    def __init__(self, settings: Settings, metrics: GatewayMetrics) -> None:
        self.clients = {
            name: UpstreamClient(name, url, settings, metrics)
            for name, url in settings.upstream_urls().items()
        }

    def __getitem__(self, name: str) -> UpstreamClient:
        return self.clients[name]

    async def aclose(self) -> None:
        for client in self.clients.values():
            await client.aclose()
