"""A service's task graph on its own Celery app, with its run history: what a service's
``create_jobs`` builds, once for every service that schedules work."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from celery import Celery
from sqlalchemy import Engine

from soundstream_common.db import create_db_engine
from soundstream_taskgraph.celery_setup import configure_celery, install_beat_schedule
from soundstream_taskgraph.declare import Graph
from soundstream_taskgraph.history import RunHistory
from soundstream_taskgraph.runtime import BoundGraph
from soundstream_taskgraph.tables import HistoryTables
from soundstream_taskgraph.transitions import Liveness, LivenessSettings


class WorkerSettings(LivenessSettings, Protocol):
    """The settings a service's worker runs with (broker, queue, limits, its database)."""

    @property
    def broker_url(self) -> str: ...
    @property
    def celery_queue(self) -> str: ...
    @property
    def task_soft_time_limit_seconds(self) -> int: ...
    @property
    def task_time_limit_seconds(self) -> int: ...
    @property
    def database_url(self) -> str: ...
    @property
    def sqlite_busy_timeout_ms(self) -> int: ...


@dataclass(frozen=True)
class ServiceGraph:
    """The graph bound to the service's Celery app, and its run history (opened on first
    use, in the process that needs it)."""

    celery: Celery
    graph: BoundGraph
    history: Callable[[], RunHistory]


def bind_service_graph(
    app_name: str,
    settings: WorkerSettings,
    graph: Graph,
    tables: HistoryTables,
    engine: Engine | None = None,
) -> ServiceGraph:
    """The Celery app ``app_name`` (broker, queue, time limits from ``settings``), ``graph``
    on it with its beat entry, and the run history in the service's database (``engine``, or
    one made on first use)."""
    celery = Celery(app_name)
    configure_celery(
        celery,
        broker_url=settings.broker_url,
        queue=settings.celery_queue,
        soft_time_limit=settings.task_soft_time_limit_seconds,
        time_limit=settings.task_time_limit_seconds,
    )

    @cache
    def history() -> RunHistory:
        bound_engine = engine or create_db_engine(
            settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms
        )
        return RunHistory(bound_engine, tables, liveness=Liveness.of(settings))

    bound = BoundGraph(celery, graph, history, queue=settings.celery_queue)
    install_beat_schedule(celery, [bound])
    return ServiceGraph(celery=celery, graph=bound, history=history)
