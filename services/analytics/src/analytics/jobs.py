"""The daily run, declared once as a task graph (``analytics.daily``): what Celery beat
schedules, what the worker runs, what the history records and what ``soundstream-admin dag``
draws all come from here::

    extract -> delta_views -> quality -> warm_cache

- ``extract``: the incremental export (the days since the last exported one, up to
  yesterday), recorded in the export history; retried while a service's export is down.
- ``delta_views``: the ``<table>_delta`` views every differentiated table needs.
- ``quality``: a data-quality report, kept with the others (the trend).
- ``warm_cache``: every query template run once with its defaults, so the first reader after
  the run gets a cached answer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any

from celery import Celery
from sqlalchemy import Engine

from analytics import operations
from analytics.config import Settings, get_settings
from analytics.exceptions import SourceUnavailableError
from analytics.models import JOB_TABLES
from analytics.queries import TEMPLATES
from analytics.schemas import ExportRunCreate
from analytics.services import quality, runs
from analytics.services import queries as query_service
from soundstream_common.cache import ResponseCache
from soundstream_common.db import create_db_engine, make_session_factory
from soundstream_common.redis import RedisHandle
from soundstream_taskgraph import (
    BoundGraph,
    Daily,
    Graph,
    Jobs,
    Retry,
    RunHistory,
    Task,
    TaskContext,
    bind_service_graph,
)

DAILY = "analytics.daily"
TRANSIENT = Retry(on=(SourceUnavailableError,), max_retries=3, backoff=5.0, backoff_max=60.0)
"""Retried: a service's export unreachable or cut."""


def _yesterday(_params: Mapping[str, Any]) -> str:
    return (date.today() - timedelta(days=1)).isoformat()


@cache
def _engine(url: str) -> Engine:
    return create_db_engine(url)


def extract(ctx: TaskContext) -> dict[str, Any]:
    settings = get_settings()
    ctx.ensure_active()
    with make_session_factory(_engine(settings.database_url))() as session:
        run = runs.run(session, settings=settings, request=ExportRunCreate())
    return {"run_id": run.id, "rows": run.rows}


def delta_views(ctx: TaskContext) -> dict[str, Any]:
    del ctx
    created = operations.migrate(get_settings())
    views = [e.delta_view() for e in operations.extractors(get_settings()) if e.delta_view()]
    return {"views": views, "created": created}


def quality_report(ctx: TaskContext) -> dict[str, Any]:
    settings = get_settings()
    ctx.ensure_active()
    with make_session_factory(_engine(settings.database_url))() as session:
        report = quality.create_report(session, settings=settings)
    return {"report_id": report.id, "summary": report.summary}


def warm_cache(ctx: TaskContext) -> dict[str, Any]:
    """Run every template with its defaults into the service's response cache (the key the
    API uses for a request without parameters)."""
    del ctx
    settings = get_settings()
    redis = RedisHandle(settings.redis_url) if settings.redis_url else None
    cache = ResponseCache(redis, settings.service_name, ttl=settings.cache_ttl_seconds)
    warmed = []
    for name, template in TEMPLATES.items():
        if any(p.required for p in template.params):
            continue
        query_service.cached_json(cache, settings, name=name, given={})
        warmed.append(name)
    return {"warmed": warmed}


def daily_graph(settings: Settings) -> Graph:
    return Graph(
        DAILY,
        [
            Task(
                "extract",
                extract,
                description="Export the days since the last export from the services' exports.",
                inputs=_yesterday,
                retries=TRANSIENT,
                runs_on=Daily(settings.daily_hour, settings.daily_minute),
                idempotent=True,
            ),
            Task(
                "delta_views",
                delta_views,
                depends_on=["extract"],
                description="The per-day difference views of the cumulative tables.",
                idempotent=True,
            ),
            Task(
                "quality",
                quality_report,
                depends_on=["extract"],
                description="Profile every service's data; keep the report.",
                retries=TRANSIENT,
                idempotent=True,
            ),
            Task(
                "warm_cache",
                warm_cache,
                depends_on=["delta_views", "quality"],
                description="Run every query template once so readers start warm.",
                idempotent=True,
            ),
        ],
        description="Export yesterday into the warehouse, profile the data, warm the queries.",
    )


@dataclass(frozen=True)
class AnalyticsJobs:
    celery: Celery
    daily: BoundGraph
    history: Callable[[], RunHistory]

    def jobs(self) -> Jobs:
        return Jobs(graphs={DAILY: self.daily}, history=self.history)


def create_jobs(settings: Settings, engine: Engine | None = None) -> AnalyticsJobs:
    """The Celery app, the daily graph bound to it with its beat entry, and its history."""
    bound = bind_service_graph("analytics", settings, daily_graph(settings), JOB_TABLES, engine)
    return AnalyticsJobs(celery=bound.celery, daily=bound.graph, history=bound.history)
