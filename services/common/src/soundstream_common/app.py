"""Assemble a service's FastAPI application from the chassis parts."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.routing import APIRoute
from loguru import logger
from prometheus_client import CollectorRegistry
from sqlalchemy import Engine, Table
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from soundstream_common.access_log import access_log
from soundstream_common.cache import ResponseCache
from soundstream_common.db import Migrations, create_db_engine, make_session_factory
from soundstream_common.docs import install_docs
from soundstream_common.errors import Problem, install_problem_handlers
from soundstream_common.events.outbox import Outbox, OutboxRelay
from soundstream_common.events.publish import EventPublisher as EventPublisher
from soundstream_common.health import (
    ReadinessCheck,
    database_check,
    health_router,
    migrations_check,
)
from soundstream_common.logging import configure_logging
from soundstream_common.metrics import (
    CacheCollector,
    HTTPMetricsMiddleware,
    ServiceMetrics,
    metrics_router,
)
from soundstream_common.middleware import RequestContextMiddleware
from soundstream_common.openapi import Hook as OpenAPIHook
from soundstream_common.openapi import finish_openapi
from soundstream_common.redis import RedisHandle
from soundstream_common.service_token import ServiceTokenMiddleware
from soundstream_common.settings import ServiceSettings
from soundstream_common.strict import reject_undeclared_input

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


@dataclass(kw_only=True, eq=False)
class ServiceState:
    """What the chassis builds when a service starts, for its requests to use.

    Each service subclasses it: it narrows ``settings`` to its own settings and declares what
    its start-up adds (``field(init=False)``, set by its ``extra_lifespan``). Functions take
    the state they need by type; :func:`service_state` reads it from an application.
    """

    settings: ServiceSettings
    engine: Engine
    sessions: sessionmaker[Session]
    redis: RedisHandle | None
    cache: ResponseCache
    events: EventPublisher | None
    """Where writes record their events (``None``: the service publishes none)."""
    readiness_checks: list[ReadinessCheck]


StateT = TypeVar("StateT", bound=ServiceState)


def service_state(app: Starlette, kind: type[StateT]) -> StateT:
    """The running application's state, as the ``kind`` its service declared."""
    state = app.state.service
    if not isinstance(state, kind):
        raise TypeError(f"the application's state is a {type(state).__name__}, not {kind.__name__}")
    return state


def get_session(request: Request) -> Iterator[Session]:
    """One session per request; services own the transaction boundaries."""
    session = service_state(request.app, ServiceState).sessions()
    try:
        yield session
    finally:
        session.close()


async def get_cache(request: Request) -> ResponseCache:
    return service_state(request.app, ServiceState).cache


async def get_events(request: Request) -> EventPublisher:
    events = service_state(request.app, ServiceState).events
    if events is None:
        raise RuntimeError("this service publishes no events (create_service_app's outbox_table)")
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
    state_type: type[ServiceState] = ServiceState,
    routers: Sequence[APIRouter] = (),
    outbox_table: Table | None = None,
    extra_checks: Callable[[FastAPI], Sequence[ReadinessCheck]] | None = None,
    extra_lifespan: ExtraLifespan | None = None,
    openapi_hooks: Sequence[OpenAPIHook] = (),
    metrics_registries: Sequence[CollectorRegistry] = (),
) -> FastAPI:
    """A FastAPI app with logging, request ids, problem+json, health, DB, cache and events.

    At start-up the app's state (``state_type``, read with :func:`service_state`) is built,
    then ``extra_lifespan`` completes it and runs for as long as the app does.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(
            service=settings.service_name,
            level=settings.log_level,
            json_logs=settings.log_json,
            log_dir=settings.log_dir,
            library_level=settings.library_log_level,
        )
        engine = create_db_engine(
            settings.database_url,
            busy_timeout_ms=settings.sqlite_busy_timeout_ms,
            pool_size=settings.db_pool_size,
        )
        redis = RedisHandle(settings.redis_url) if settings.redis_url else None
        cache = ResponseCache(redis, settings.service_name, ttl=settings.cache_ttl_seconds)
        cache_metrics.watch(cache)
        relay = None
        events = None
        if outbox_table is not None:
            outbox = Outbox(outbox_table, settings.service_name, redis)
            relay = OutboxRelay(outbox, engine) if redis is not None else None
            events = EventPublisher(outbox, relay)
        app.state.service = state_type(
            settings=settings,
            engine=engine,
            sessions=make_session_factory(engine),
            redis=redis,
            cache=cache,
            events=events,
            readiness_checks=[
                database_check(engine),
                migrations_check(engine, migrations),
                *([redis_check(redis)] if redis is not None else []),
                *(extra_checks(app) if extra_checks else ()),
            ],
        )
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
        # Every route takes only what it declares (soundstream_common.strict).
        dependencies=[Depends(reject_undeclared_input)],
        # Served from installed files instead of a CDN (soundstream_common.docs).
        docs_url=None,
        redoc_url=None,
    )
    install_docs(app)
    install_problem_handlers(app)
    finish_openapi(app, *openapi_hooks)
    metrics = ServiceMetrics(settings.service_name)
    metrics.extra.extend(metrics_registries)
    cache_metrics = CacheCollector()
    metrics.registry.register(cache_metrics)
    app.add_middleware(HTTPMetricsMiddleware, metrics=metrics)
    token = settings.service_token_value()
    if settings.internal and token:
        app.add_middleware(ServiceTokenMiddleware, token=token)
    app.add_middleware(RequestContextMiddleware)
    if settings.trusted_proxies:
        # Outermost: the client address every later part sees (logs, rate limits) is the one
        # a trusted proxy forwarded; anyone else's X-Forwarded-For is ignored.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    app.include_router(health_router(settings.service_name, version, _readiness_checks))
    app.include_router(
        metrics_router(
            metrics,
            settings.metrics_token,
            f"{settings.model_config.get('env_prefix', '')}METRICS_TOKEN",
        )
    )
    for router in routers:
        app.include_router(router)
    return app


def _readiness_checks(request: Request) -> Sequence[ReadinessCheck]:
    return service_state(request.app, ServiceState).readiness_checks


def server_options(settings: ServiceSettings) -> dict[str, Any]:
    """How uvicorn runs every service: ``settings.workers`` processes sharing the port,
    uvloop, httptools, our logging, and no forwarded header believed by uvicorn itself."""
    return {
        "host": settings.host,
        "port": settings.port,
        "workers": settings.workers,
        "log_config": None,
        "loop": "uvloop",
        "http": "httptools",
        "access_log": False,  # the request middleware logs every request
        # uvicorn believes X-Forwarded-For from 127.0.0.1 by default (a client on the same
        # host could pick its address, and so its rate limit); the application trusts only
        # the proxies its settings name (trusted_proxies, see create_service_app).
        "proxy_headers": False,
    }


def serve(factory: str, settings: ServiceSettings) -> None:
    """Run the application ``factory`` makes (``"module:function"``, importable by every worker
    process) under uvicorn the way every service runs (:func:`server_options`)."""
    import uvicorn

    uvicorn.run(factory, factory=True, **server_options(settings))
