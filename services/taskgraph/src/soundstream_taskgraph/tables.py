"""The run history's two tables, declared on the owning service's own metadata.

Each service keeps the history of its graphs in its own database (services never read each
other's tables): it calls :func:`history_tables` with its declarative ``Base.metadata`` and
creates the tables in one of its own migrations (:func:`create_history_tables`).

- ``job_runs``: one row per run of a graph. ``active_graph`` holds the graph's name while the
  run is queued or running and is unique: at most one active run per graph, enforced by the
  database itself (NULLs do not collide, on SQLite and PostgreSQL alike).
- ``job_task_runs``: one row per task of a run: its state, attempts, times, the decision
  (ran or kept, and why), the facts its result was made from and the result itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from soundstream_common.db import UtcDateTime


class RunState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class TaskState(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    RETRYING = "retrying"
    SUCCEEDED = "succeeded"
    KEPT = "kept"
    FAILED = "failed"
    CANCELLED = "cancelled"


ACTIVE_RUN_STATES = (RunState.QUEUED, RunState.RUNNING)
FINAL_TASK_STATES = (TaskState.SUCCEEDED, TaskState.KEPT, TaskState.FAILED, TaskState.CANCELLED)
RESULT_STATES = (TaskState.SUCCEEDED, TaskState.KEPT)


def _states(enum: type[StrEnum]) -> str:
    return ", ".join(f"'{member.value}'" for member in enum)


def _columns() -> dict[str, list[Any]]:
    """Both tables' columns and constraints (fresh objects for each metadata)."""
    runs: list[Any] = [
        Column("id", String(40), primary_key=True),
        Column("graph", String(100), nullable=False),
        Column("state", String(12), nullable=False),
        Column("trigger", String(100), nullable=False),
        Column("force", Boolean, nullable=False),
        Column("targets", JSON, nullable=True),
        Column("created_at", UtcDateTime, nullable=False),
        Column("started_at", UtcDateTime, nullable=True),
        Column("finished_at", UtcDateTime, nullable=True),
        Column("updated_at", UtcDateTime, nullable=False),
        Column("error", Text, nullable=True),
        Column("active_graph", String(100), nullable=True, unique=True),
        CheckConstraint(f"state IN ({_states(RunState)})", name="state_known"),
        Index(None, "graph", "created_at"),
    ]
    tasks: list[Any] = [
        Column(
            "run_id",
            String(40),
            ForeignKey("job_runs.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        Column("task", String(63), primary_key=True),
        Column("graph", String(100), nullable=False),
        Column("position", Integer, nullable=False),
        Column("state", String(12), nullable=False),
        Column("attempts", Integer, nullable=False),
        Column("reason", String(24), nullable=True),
        Column("reason_text", String(400), nullable=True),
        Column("fingerprint", String(64), nullable=True),
        Column("inputs_version", String(200), nullable=True),
        Column("upstream_keys", JSON, nullable=True),
        Column("output_key", String(64), nullable=True),
        Column("output", JSON, nullable=True),
        Column("kept_from", String(40), nullable=True),
        Column("produced_at", UtcDateTime, nullable=True),
        Column("started_at", UtcDateTime, nullable=True),
        Column("finished_at", UtcDateTime, nullable=True),
        Column("heartbeat_at", UtcDateTime, nullable=True),
        Column("lost_after", UtcDateTime, nullable=True),
        Column("duration_seconds", Float, nullable=True),
        Column("error", Text, nullable=True),
        CheckConstraint(f"state IN ({_states(TaskState)})", name="state_known"),
        Index(None, "graph", "task", "finished_at"),
        Index(None, "state", "lost_after"),
    ]
    return {"job_runs": runs, "job_task_runs": tasks}


@dataclass(frozen=True)
class HistoryTables:
    runs: Table
    task_runs: Table


def history_tables(metadata: MetaData) -> HistoryTables:
    """Declare the history tables on ``metadata`` (a service's ``Base.metadata``)."""
    columns = _columns()
    return HistoryTables(
        runs=Table("job_runs", metadata, *columns["job_runs"]),
        task_runs=Table("job_task_runs", metadata, *columns["job_task_runs"]),
    )
