"""The task graphs the operator tool knows, drawn with the last states from their service's
own run history (``soundstream-admin dag``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError

from analytics.config import get_settings as analytics_settings
from analytics.jobs import DAILY, daily_graph
from analytics.models import JOB_TABLES as ANALYTICS_JOB_TABLES
from recommender.config import get_settings as recommender_settings
from recommender.models import JOB_TABLES
from recommender.training.jobs import TRAINING, training_graph
from soundstream_common.db import create_db_engine
from soundstream_taskgraph import ExportFormat, Graph, Liveness, RunHistory, TaskRunRead, export
from soundstream_taskgraph.queries import last_task_runs


@dataclass(frozen=True)
class KnownGraph:
    """A graph as its service declares it, and how to open that service's history."""

    graph: Graph
    history: Callable[[], RunHistory]


def known_graphs() -> dict[str, KnownGraph]:
    """Every graph, by name, declared with its service's current settings."""
    settings = recommender_settings()

    def history() -> RunHistory:
        engine = create_db_engine(
            settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms
        )
        return RunHistory(engine, JOB_TABLES, liveness=Liveness.of(settings))

    analytics = analytics_settings()

    def analytics_history() -> RunHistory:
        engine = create_db_engine(
            analytics.database_url, busy_timeout_ms=analytics.sqlite_busy_timeout_ms
        )
        return RunHistory(engine, ANALYTICS_JOB_TABLES, liveness=Liveness.of(analytics))

    return {
        TRAINING: KnownGraph(training_graph(settings), history),
        DAILY: KnownGraph(daily_graph(analytics), analytics_history),
    }


def last_states(known: KnownGraph) -> tuple[dict[str, TaskRunRead], str | None]:
    """Each task's last state, or none and why (the service's database is not there yet)."""
    try:
        history = known.history()
    except SQLAlchemyError as exc:
        return {}, f"no run history ({type(exc).__name__})"
    try:
        return last_task_runs(history, known.graph.name), None
    except SQLAlchemyError as exc:
        return {}, f"no run history: {str(exc).splitlines()[0]}"
    finally:
        history.engine.dispose()


def draw(name: str, fmt: ExportFormat, *, states: bool = True) -> tuple[bytes, str | None]:
    """The picture of graph ``name`` and, when it is drawn without states, why."""
    known = known_graphs()[name]
    last, missing = last_states(known) if states else ({}, None)
    return export(known.graph, fmt, last), missing
