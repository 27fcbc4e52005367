"""Gateway application: assembly only."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.middleware import Middleware

from gateway import __version__
from gateway.api.router import ROUTERS
from gateway.auth import KeyVerifier
from gateway.cache import ResponseCache
from gateway.clients import Upstreams
from gateway.config import Settings, get_settings
from gateway.db import MIGRATIONS
from gateway.errors import install_upstream_handlers
from gateway.fastpath import CachedReadMiddleware
from gateway.health import upstream_checks
from gateway.metrics import GatewayMetrics, metrics_router
from gateway.middleware import GatewayEdgeMiddleware
from gateway.ratelimit import RATE_LIMIT_HEADERS, RateLimiter
from gateway.redis_store import RedisStore
from soundstream_common.app import create_service_app, serve
from soundstream_common.health import ReadinessCheck

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


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    metrics = GatewayMetrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # One access line per request is logged; httpx's line per upstream call would double it.
        logging.getLogger("httpx").setLevel(logging.WARNING)
        store = RedisStore(settings.redis_url) if settings.redis_url else None
        app.state.upstreams = Upstreams(settings, metrics)
        app.state.rate_limiter = RateLimiter(
            store, window_seconds=settings.rate_limit_window_seconds
        )
        app.state.response_cache = ResponseCache(
            store if settings.response_cache else None, ttl_seconds=settings.cache_ttl_seconds
        )
        app.state.key_verifier = KeyVerifier(settings, app.state.sessions)
        try:
            yield
        finally:
            await app.state.upstreams.aclose()
            if store is not None:
                await store.aclose()

    def checks(_app: FastAPI) -> Sequence[ReadinessCheck]:
        return upstream_checks(settings)

    app = create_service_app(
        settings,
        title="SoundStream API",
        description=DESCRIPTION,
        version=__version__,
        migrations=MIGRATIONS,
        routers=(*ROUTERS, metrics_router()),
        extra_checks=checks,
        extra_lifespan=lifespan,
    )
    app.state.metrics = metrics
    install_upstream_handlers(app)
    # Inside the request-id middleware (so that even a 413 carries the request id), in this
    # order: the edge's headers and metrics apply to answers from the cached-read path too.
    app.user_middleware += [
        Middleware(GatewayEdgeMiddleware, max_body_bytes=settings.max_body_bytes, metrics=metrics),
        Middleware(CachedReadMiddleware, settings=settings, metrics=metrics),
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
    settings = get_settings()
    serve(create_app(settings), settings)
