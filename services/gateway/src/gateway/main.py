"""Gateway application: assembly only."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.middleware import Middleware

from gateway import __version__
from gateway.api.router import ROUTERS
from gateway.cache import ResponseCache
from gateway.cached_reads import CachedReadMiddleware
from gateway.clients import Upstreams
from gateway.config import Settings, get_settings
from gateway.db import MIGRATIONS
from gateway.errors import install_upstream_handlers
from gateway.health import upstream_checks
from gateway.keys import KeyVerifier
from gateway.metrics import GatewayMetrics
from gateway.middleware import GatewayEdgeMiddleware
from gateway.ratelimit import RATE_LIMIT_HEADERS, RateLimiter
from gateway.state import GatewayState
from soundstream_common.app import create_service_app, serve, service_state
from soundstream_common.health import ReadinessCheck
from soundstream_common.redis import RedisHandle

DESCRIPTION = """The one public API of SoundStream Analytics: the catalog (artists, tags, tag
assignments, search, tag statistics), listening (users, listens, friends, listening
statistics) and recommender (recommendations, similar artists and users, models) services under
`/v1`, plus views that combine them (enriched recommendations, user profiles, artist pages).

**Authentication**: send an API key as `X-API-Key: ss_...` or `Authorization: Bearer ss_...`.
Scopes: `read`, `write` (includes read), `admin` (includes everything; retraining and keys).
Reads may be allowed without a key (`GATEWAY_PUBLIC_READS`). 401: no or an invalid key where one
is needed; 403: the key lacks the scope.

**Rate limits** per key (per client address without a key): every answer carries
`RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`; over the limit, 429 with
`Retry-After`.

**Caching**: GET answers carry a strong `ETag`; send it back in `If-None-Match` for a 304.

Lists take `limit` (1..200) and an opaque `cursor` (pass back `next_cursor`). Errors are
`application/problem+json`; an unavailable (503) or slow (504) upstream is named in the body's
`upstream` field.
"""


def public_reads_documented(document: dict[str, Any]) -> None:
    """With public reads on, a read operation's key is optional: say so (``{}``)."""
    for methods in document["paths"].values():
        for operation in methods.values():
            if operation.get("x-required-scope") == "read" and operation.get("security"):
                operation["security"] = [*operation["security"], {}]


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    metrics = GatewayMetrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state = service_state(app, GatewayState)
        store = (
            RedisHandle(settings.redis_url, socket_timeout=0.25, max_connections=64)
            if settings.redis_url
            else None
        )
        state.metrics = metrics
        state.upstreams = Upstreams(settings, metrics)
        state.rate_limiter = RateLimiter(store, window_seconds=settings.rate_limit_window_seconds)
        state.response_cache = ResponseCache(
            store if settings.response_cache else None, ttl_seconds=settings.cache_ttl_seconds
        )
        state.key_verifier = KeyVerifier(settings, state.sessions)
        try:
            yield
        finally:
            await state.upstreams.aclose()
            if store is not None:
                await store.close_async()

    def checks(_app: FastAPI) -> Sequence[ReadinessCheck]:
        return upstream_checks(settings)

    app = create_service_app(
        settings,
        title="SoundStream API",
        description=DESCRIPTION,
        version=__version__,
        migrations=MIGRATIONS,
        state_type=GatewayState,
        routers=ROUTERS,
        extra_checks=checks,
        extra_lifespan=lifespan,
        openapi_hooks=[public_reads_documented] if settings.public_reads else [],
        metrics_registries=[metrics.registry],
    )
    install_upstream_handlers(app)
    # Inside the request-id middleware (so that even a 413 carries the request id), in this
    # order: the edge's headers and metrics apply to answers from the cached-read path too.
    app.user_middleware += [
        Middleware(GatewayEdgeMiddleware, max_body_bytes=settings.max_body_bytes, metrics=metrics),
        Middleware(CachedReadMiddleware),
    ]
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "X-API-Key", "Content-Type", "If-None-Match"],
            expose_headers=[*RATE_LIMIT_HEADERS, "Retry-After", "ETag", "X-Request-ID"],
            max_age=600,
        )
    return app


def run() -> None:
    """Console entry point ``gateway-api``."""
    serve("gateway.main:create_app", get_settings())
