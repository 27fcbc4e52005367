"""Recommender application: assembly only."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import redis.asyncio as aioredis
from fastapi import FastAPI

from recommender import __version__
from recommender.api.router import ROUTERS
from recommender.config import Settings, get_settings
from recommender.db import MIGRATIONS
from recommender.serving.hot import HotPath
from recommender.serving.views import Serving
from recommender.state import RecommenderState
from recommender.training.jobs import create_jobs
from recommender.upstream import Upstream
from soundstream_common.app import create_service_app, serve, service_state

DESCRIPTION = """\
Artist recommendations for users, similar artists and users, and cold-start answers from
seed artists and tags. Models are trained by a Celery task graph (snapshot of the listening
service -> matrices -> candidates in parallel -> evaluation and blend -> atomic publish) whose
runs are recorded and listed under `/jobs`, and served from Redis; the model's artefact on disk
answers while Redis is down.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state = service_state(app, RecommenderState)
        state.jobs = create_jobs(settings, state.engine).jobs()
        state.serving = Serving(state.redis, settings.key_prefix)
        state.upstream = Upstream(settings)
        async_redis = (
            aioredis.Redis.from_url(settings.redis_url, socket_timeout=0.5)
            if settings.redis_url
            else None
        )
        state.hot = HotPath(
            state.redis,
            async_redis,
            settings.key_prefix,
            state.sessions,
            max_users=settings.serving_cache_users,
            general_seconds=settings.general_answer_seconds,
        )
        threading.Thread(target=state.hot.preload, name="recs-preload", daemon=True).start()
        try:
            yield
        finally:
            await state.hot.aclose()
            state.upstream.close()
            if async_redis is not None:
                await async_redis.aclose()

    return create_service_app(
        settings,
        title="SoundStream Recommender",
        description=DESCRIPTION,
        version=__version__,
        migrations=MIGRATIONS,
        state_type=RecommenderState,
        routers=ROUTERS,
        extra_lifespan=lifespan,
    )


def run() -> None:
    """Console entry point ``recommender-api``."""
    serve("recommender.main:create_app", get_settings())
