"""Upstream clients: one pooled ``aiohttp.ClientSession`` per upstream, with a circuit breaker.

The gateway makes one or more upstream calls for every request it does not answer from its
cache, so the client's own cost is on every user's path. aiohttp's client costs a small part
of what httpx's does per call (the AsyncClient over httpcore and anyio spent about ten times
more CPU in the same run, its pool scanning every connection on every request), so the
gateway's calls go through aiohttp; the SDK, the other services and the tests keep httpx.

Failures become problem+json naming the upstream: connection refused, reset or not opened in
time -> 503 (after retrying idempotent requests); no answer within the read timeout -> 504;
an answer that cannot be read -> 502; breaker open -> 503 at once, with ``Retry-After``.

Only the upstream's own failures count against its breaker (refused or broken connections,
its timeouts, 502/503/504 answers). Waiting for one of the gateway's pooled connections is the
gateway's own saturation, not the upstream's: past ``GATEWAY_UPSTREAM_POOL_TIMEOUT_SECONDS``
it is a 503 ``gateway-busy`` with ``Retry-After``, and the breaker is left as it was.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import aiohttp
from loguru import logger
from multidict import CIMultiDict
from yarl import URL

from gateway.breaker import BreakerState, CircuitBreaker
from gateway.config import Settings
from gateway.metrics import GatewayMetrics
from soundstream_common.context import request_id_var
from soundstream_common.errors import ProblemError
from soundstream_common.service_token import service_headers

CATALOG = "catalog"
LISTENING = "listening"
RECOMMENDER = "recommender"
ANALYTICS = "analytics"

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRY_PAUSE_SECONDS = 0.05
# Answers that say the upstream itself is unwell: they count against its breaker.
UNHEALTHY_STATUSES = frozenset({502, 503, 504})
# What a URL may hold as it is; anything else the client sent is percent-encoded.
URL_SAFE = "/%:@!$&'()*+,;=-._~?"
# Connection errors after which an idempotent request is sent again.
RETRIED = (aiohttp.ClientConnectorError, aiohttp.ServerDisconnectedError)


def _query_value(value: Any) -> str:
    """A query parameter's text: booleans as ``true``/``false``, as the services read them."""
    return str(value).lower() if isinstance(value, bool) else str(value)


@dataclass(frozen=True)
class UpstreamResponse:
    """An upstream's answer, read in full."""

    status_code: int
    headers: CIMultiDict[str]
    content: bytes


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


class UpstreamBadAnswerError(UpstreamError):
    status, slug, title = 502, "upstream-bad-answer", "An upstream service answered unreadably"


class GatewayBusyError(UpstreamError):
    status, slug, title = 503, "gateway-busy", "The gateway is busy"


class UpstreamClient:
    def __init__(self, name: str, base_url: str, settings: Settings, metrics: GatewayMetrics):
        self.name = name
        self.base_url = base_url
        # Every call carries the deployment's service token: the upstreams are internal.
        self.service_headers = service_headers(settings.service_token_value())
        self.retries = settings.upstream_retries
        self.metrics = metrics
        self.breaker = CircuitBreaker(
            failure_threshold=settings.breaker_failure_threshold,
            reset_seconds=settings.breaker_reset_seconds,
        )
        # The gateway's own bound on calls in flight (and so on pooled connections): a call
        # waiting for one is the gateway's saturation, told apart from the upstream's
        # failures (aiohttp's own pool wait would end in the same timeout as a connect).
        self.pool_timeout = settings.upstream_pool_timeout_seconds
        self._slots = asyncio.Semaphore(settings.upstream_max_connections)
        self.http = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=settings.upstream_max_connections),
            timeout=aiohttp.ClientTimeout(
                total=None,
                sock_connect=settings.connect_timeout_seconds,
                sock_read=settings.read_timeout_seconds,
            ),
            auto_decompress=True,
            skip_auto_headers=("User-Agent",),
        )

    async def aclose(self) -> None:
        await self.http.close()

    def _url(self, path: str, query: str | Mapping[str, Any] | None) -> URL:
        """The upstream URL: a query string as received (its encoding untouched), a mapping
        encoded; anything a URL cannot carry as it is, percent-encoded."""
        if query is not None and not isinstance(query, str):
            query = urlencode(
                {k: str(v).lower() if isinstance(v, bool) else v for k, v in query.items()}
            )
        target = quote(f"{path}?{query}" if query else path, safe=URL_SAFE)
        return URL(self.base_url + target, encoded=True)

    async def request(
        self,
        method: str,
        path: str,
        *,
        query: str | Mapping[str, Any] | None = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> UpstreamResponse:
        """Send one request (retrying idempotent ones on connection errors)."""
        if not self.breaker.allow():
            self.metrics.upstream_errors.labels(self.name, "breaker_open").inc()
            raise UpstreamUnavailableError(
                self.name,
                f"The {self.name} service is failing; calls are paused for a few seconds.",
                retry_after=self.breaker.retry_after() or 1.0,
            )
        sent_headers = {**(headers or {}), **self.service_headers}
        request_id = request_id_var.get()
        if request_id:
            sent_headers["x-request-id"] = request_id
        url = self._url(path, query)
        attempts = 1 + (self.retries if method.upper() in IDEMPOTENT_METHODS else 0)
        started = time.perf_counter()
        # What the call tells of the upstream's health: a failure's kind, "" for a good
        # answer, None for nothing (the gateway's own saturation, a cancelled call).
        failure: str | None = None
        try:
            await self._slot()
            try:
                response = await self._send(method, url, content, sent_headers, attempts)
            finally:
                self._slots.release()
            failure = (
                f"status_{response.status_code}"
                if response.status_code in UNHEALTHY_STATUSES
                else ""
            )
            return response
        except aiohttp.ConnectionTimeoutError as exc:
            failure = "connect"
            raise self._unavailable(exc) from exc
        except aiohttp.ServerTimeoutError as exc:
            failure = "timeout"
            raise UpstreamTimeoutError(
                self.name, f"The {self.name} service did not answer in time."
            ) from exc
        except aiohttp.ClientConnectionError as exc:
            failure = "connect"
            raise self._unavailable(exc) from exc
        except aiohttp.ClientError as exc:  # e.g. a body whose encoding cannot be decoded
            failure = "bad_answer"
            raise UpstreamBadAnswerError(
                self.name, f"The {self.name} service's answer could not be read."
            ) from exc
        finally:
            self.metrics.upstream_latency.labels(self.name).observe(time.perf_counter() - started)
            self._settle(failure)

    async def _slot(self) -> None:
        """A call slot within the pool timeout, else 503 ``gateway-busy``."""
        try:
            async with asyncio.timeout(self.pool_timeout):
                await self._slots.acquire()
        except TimeoutError as exc:
            self.metrics.upstream_errors.labels(self.name, "pool").inc()
            raise GatewayBusyError(
                self.name,
                f"Every connection to the {self.name} service is in use; retry shortly.",
                retry_after=1.0,
            ) from exc

    async def _send(
        self,
        method: str,
        url: URL,
        content: bytes | None,
        headers: dict[str, str],
        attempts: int,
    ) -> UpstreamResponse:
        """The upstream's answer, retrying connection errors up to ``attempts`` times."""
        for _ in range(attempts - 1):
            try:
                return await self._once(method, url, content, headers)
            except RETRIED:
                await asyncio.sleep(RETRY_PAUSE_SECONDS)
        return await self._once(method, url, content, headers)

    async def _once(
        self, method: str, url: URL, content: bytes | None, headers: dict[str, str]
    ) -> UpstreamResponse:
        async with self.http.request(
            method, url, data=content, headers=headers, allow_redirects=False
        ) as answer:
            body = await answer.read()
            return UpstreamResponse(answer.status, CIMultiDict(answer.headers), body)

    def _settle(self, failure: str | None) -> None:
        """Tell the breaker what the call said of the upstream (see ``request``)."""
        if failure is None:
            self.breaker.release()
        elif failure:
            self._failed(failure)
        else:
            self.breaker.record_success()
            self.metrics.breaker_open.labels(self.name).set(0)

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
