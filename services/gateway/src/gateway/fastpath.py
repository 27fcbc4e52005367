"""Anonymous public reads of answers this process holds in its cache, answered at the edge.

An entry is only ever cached after its request passed routing, validation and the read-scope
check, so a fresh entry for the same path and query proves the request valid: an anonymous
GET for it (when public reads are allowed) is counted by the rate limiter and answered here,
without routing or dependencies — from this process's copy, or, once that expired, from
Redis in one round trip when this process has routed the same path and query before.
Everything else (keys, misses, an exhausted limit) goes through the application as usual.
"""

from __future__ import annotations

from typing import Any

from fastapi import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.cache import CachedResponse, ResponseCache, etag_matches
from gateway.config import Settings
from gateway.metrics import GatewayMetrics
from gateway.ratelimit import RateLimiter

AUTH_HEADERS = (b"x-api-key", b"authorization")


class CachedReadMiddleware:
    def __init__(self, app: ASGIApp, *, settings: Settings, metrics: GatewayMetrics) -> None:
        self.app = app
        self.public_reads = settings.public_reads
        self.anonymous_limit = settings.rate_limit_anonymous
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            self.public_reads
            and scope["type"] == "http"
            and scope["method"] == "GET"
            and scope["path"].startswith("/v1/")
            and not any(name in AUTH_HEADERS for name, _ in scope["headers"])
        ):
            state = scope["app"].state
            cache: ResponseCache = state.response_cache
            key = f"{scope['path']}?{scope['query_string'].decode('latin-1')}"
            found = cache.peek(key) or await self._shared(cache, key)
            if found is not None:
                entry, route = found
                limiter: RateLimiter = state.rate_limiter
                client = scope.get("client")
                address = client[0] if client else "-"
                decision = await limiter.hit(f"ip:{address}", self.anonymous_limit)
                scope.setdefault("state", {})["rate_limit"] = decision
                if decision.allowed:
                    scope["route"] = route
                    self.metrics.cache.labels("hit").inc()
                    await self._answer(scope, receive, send, entry)
                    return
        await self.app(scope, receive, send)

    @staticmethod
    async def _shared(cache: ResponseCache, key: str) -> tuple[CachedResponse, Any] | None:
        """The entry in Redis, when this process's copy expired: one round trip, no routing."""
        route = cache.route_of(key)
        if route is None:
            return None
        lookup = await cache.get(key, route)
        if lookup is None or lookup.entry is None:
            return None
        return lookup.entry, route

    @staticmethod
    async def _answer(scope: Scope, receive: Receive, send: Send, entry: CachedResponse) -> None:
        if_none_match = next((v for n, v in scope["headers"] if n == b"if-none-match"), b"")
        if etag_matches(if_none_match.decode("latin-1"), entry.etag):
            response = Response(status_code=304, headers={"etag": entry.etag})
        else:
            headers = {"etag": entry.etag}
            response = Response(entry.body, media_type=entry.media_type, headers=headers)
        await response(scope, receive, send)
