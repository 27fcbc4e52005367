"""Recommender application: assembly only."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import redis.asyncio as aioredis
from fastapi import FastAPI

from recommender import __version__
from recommender.api.hot_route import PlainForUserRoute
from recommender.api.router import ROUTERS
from recommender.celery_app import create_celery
from recommender.config import Settings, get_settings
from recommender.db import MIGRATIONS
from recommender.hot import HotPath
from recommender.serving import Serving
from recommender.upstream import Upstream
from soundstream_common.app import create_service_app, serve

DESCRIPTION = """\
Artist recommendations for users, similar artists and users, and cold-start answers from
seed artists and tags. Models are trained by a Celery pipeline (snapshot of the listening service ->
matrices -> candidates in parallel -> evaluation and blend -> atomic publish) and served from
Redis; the model's artefact on disk answers while Redis is down.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.celery = create_celery(settings)
        app.state.serving = Serving(app.state.redis, settings.key_prefix)
        app.state.upstream = Upstream(settings)
        async_redis = (
            aioredis.Redis.from_url(settings.redis_url, socket_timeout=0.5)
            if settings.redis_url
            else None
        )
        app.state.hot = HotPath(
            app.state.redis,
            async_redis,
            settings.key_prefix,
            app.state.sessions,
            max_users=settings.serving_cache_users,
            general_seconds=settings.general_answer_seconds,
        )
        threading.Thread(target=app.state.hot.preload, name="recs-preload", daemon=True).start()
        try:
            yield
        finally:
            await app.state.hot.aclose()
            app.state.upstream.close()
            if async_redis is not None:
                await async_redis.aclose()

    return create_service_app(
        settings,
        title="SoundStream Recommender",
        description=DESCRIPTION,
        version=__version__,
        migrations=MIGRATIONS,
        routers=ROUTERS,
        plain_routes=[PlainForUserRoute()],
        extra_lifespan=lifespan,
    )


def run() -> None:
    """Console entry point ``recommender-api``."""
    settings = get_settings()
    serve(create_app(settings), settings)
