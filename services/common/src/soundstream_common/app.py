"""Assemble a service's FastAPI application from the chassis parts."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.routing import APIRoute
from loguru import logger
from sqlalchemy import Table
from sqlalchemy.orm import Session
from starlette.routing import BaseRoute

from soundstream_common.access_log import access_log
from soundstream_common.cache import ResponseCache
from soundstream_common.db import Migrations, create_db_engine, make_session_factory
from soundstream_common.errors import Problem, install_problem_handlers
from soundstream_common.events.outbox import Outbox, OutboxRelay
from soundstream_common.health import (
    ReadinessCheck,
    database_check,
    health_router,
    migrations_check,
)
from soundstream_common.logging import configure_logging
from soundstream_common.middleware import RequestContextMiddleware
from soundstream_common.redis import RedisHandle
from soundstream_common.settings import ServiceSettings

ExtraLifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]

PROBLEM_RESPONSES: dict[int | str, dict[str, object]] = {
    422: {"model": Problem, "description": "Invalid input (problem+json)."},
    503: {"model": Problem, "description": "A dependency is unavailable (problem+json)."},
}


def _operation_id(route: APIRoute) -> str:
    tag = str(route.tags[0]) if route.tags else "default"
    return f"{tag}-{route.name}"


GC_THRESHOLDS = (20_000, 50, 100)
"""Allocations between two young collections (CPython's default 700 made one every few
requests); young collections per middle one, middle ones per full one (defaults 10, 10)."""


def settle_heap() -> None:
    """Keep what start-up built out of the garbage collector's full passes.

    A service starts with hundreds of thousands of long-lived objects (modules, models, the
    routing tables, data held in memory). Every full collection walked all of them: under
    load, 50-90 ms pauses a few times a second, the whole tail of the latency. Frozen, they
    are never collected (they live as long as the process anyway) and a full pass only
    walks what was made since.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def get_session(request: Request) -> Iterator[Session]:
    """One session per request; services own the transaction boundaries."""
    session: Session = request.app.state.sessions()
    try:
        yield session
    finally:
        session.close()


class EventPublisher:
    """What a write path needs: record events in its transaction, then poke the relay."""

    def __init__(self, outbox: Outbox, relay: OutboxRelay | None) -> None:
        self.outbox = outbox
        self.relay = relay

    def record(self, session: Session, event_type: str, payload: dict[str, object]) -> None:
        self.outbox.add(session, event_type, dict(payload))

    def committed(self) -> None:
        if self.relay is not None:
            self.relay.notify()


async def get_cache(request: Request) -> ResponseCache:
    cache: ResponseCache = request.app.state.cache
    return cache


async def get_events(request: Request) -> EventPublisher:
    events: EventPublisher = request.app.state.events
    return events


SessionDep = Annotated[Session, Depends(get_session)]
CacheDep = Annotated[ResponseCache, Depends(get_cache)]
EventsDep = Annotated[EventPublisher, Depends(get_events)]


def redis_check(redis: RedisHandle) -> ReadinessCheck:
    # Not critical: without Redis the service answers uncached and keeps events in its outbox.
    return ReadinessCheck("redis", redis.ping, critical=False)


def create_service_app(
    settings: ServiceSettings,
    *,
    title: str,
    description: str,
    version: str,
    migrations: Migrations,
    routers: Sequence[APIRouter] = (),
    plain_routes: Sequence[BaseRoute] = (),
    outbox_table: Table | None = None,
    extra_checks: Callable[[FastAPI], Sequence[ReadinessCheck]] | None = None,
    extra_lifespan: ExtraLifespan | None = None,
) -> FastAPI:
    """A FastAPI app with logging, request ids, problem+json, health, DB, cache and events."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(
            service=settings.service_name,
            level=settings.log_level,
            json_logs=settings.log_json,
            log_dir=settings.log_dir,
        )
        engine = create_db_engine(
            settings.database_url,
            busy_timeout_ms=settings.sqlite_busy_timeout_ms,
            pool_size=settings.db_pool_size,
        )
        redis = RedisHandle(settings.redis_url) if settings.redis_url else None
        app.state.settings = settings
        app.state.engine = engine
        app.state.sessions = make_session_factory(engine)
        app.state.redis = redis
        app.state.cache = ResponseCache(
            redis, settings.service_name, ttl=settings.cache_ttl_seconds
        )
        relay = None
        if outbox_table is not None:
            outbox = Outbox(outbox_table, settings.service_name, redis)
            relay = OutboxRelay(outbox, engine) if redis is not None else None
            app.state.events = EventPublisher(outbox, relay)
        app.state.readiness_checks = [
            database_check(engine),
            migrations_check(engine, migrations),
            *([redis_check(redis)] if redis is not None else []),
            *(extra_checks(app) if extra_checks else ()),
        ]
        logger.info("{} starting with {}", settings.service_name, settings.public_dict())
        if relay is not None:
            relay.start()
        try:
            if extra_lifespan is None:
                settle_heap()
                yield
            else:
                async with extra_lifespan(app):
                    settle_heap()
                    yield
        finally:
            if relay is not None:
                relay.stop()
            if redis is not None:
                await redis.close_async()
            engine.dispose()
            access_log.flush()
            logger.info("{} stopped", settings.service_name)

    app = FastAPI(
        title=title,
        description=description,
        version=version,
        lifespan=lifespan,
        generate_unique_id_function=_operation_id,
        responses=PROBLEM_RESPONSES,
        # Metrics and traces are our own (Prometheus, request ids): FastAPI's OpenTelemetry
        # hooks would look up the global providers on every request for nothing.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    install_problem_handlers(app)
    app.add_middleware(RequestContextMiddleware)
    app.include_router(health_router(settings.service_name, version))
    for router in routers:
        app.include_router(router)
    # Before every other route: hot reads with plain parameters skip FastAPI's parameter
    # work; what they do not take goes on to the documented routes (soundstream_common.plain_route).
    app.router.routes[:0] = plain_routes
    return app


def serve(app: FastAPI, settings: ServiceSettings) -> None:
    """Run ``app`` under uvicorn the way every service runs: uvloop, httptools, our logging."""
    import uvicorn

    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        loop="uvloop",
        http="httptools",
        access_log=False,  # the request middleware logs every request
    )
