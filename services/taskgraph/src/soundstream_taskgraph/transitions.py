"""The task-level half of the run history: a task's transitions, its heartbeat, its result.

Every transition is one short transaction with a guard on the task's current state, so
concurrent writers (the tasks of a run on several workers, the reaper in the API or beat
process) never undo each other: a task the reaper declared lost cannot later record a
success, and a late heartbeat cannot bring it back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from loguru import logger
from sqlalchemy import Engine, func, select, update
from sqlalchemy.engine import Connection, RowMapping

from soundstream_taskgraph.decide import Decision, Facts, Result
from soundstream_taskgraph.tables import (
    ACTIVE_RUN_STATES,
    RESULT_STATES,
    HistoryTables,
    RunState,
    TaskState,
)

ERROR_LENGTH = 2000


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime | None) -> datetime | None:
    """A stored time as an aware UTC datetime (SQLite returns naive ones)."""
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:ERROR_LENGTH]


@dataclass(frozen=True)
class Liveness:
    """How long silence means death: a task without a heartbeat for ``lost_after``, a run
    without progress for ``stall_after``; tasks beat every ``heartbeat``."""

    heartbeat: timedelta = timedelta(seconds=2)
    lost_after: timedelta = timedelta(seconds=8)
    stall_after: timedelta = timedelta(hours=1)

    @classmethod
    def of(cls, settings: LivenessSettings) -> Liveness:
        """A service's liveness, from its ``job_*_seconds`` settings."""
        return cls(
            heartbeat=timedelta(seconds=settings.job_heartbeat_seconds),
            lost_after=timedelta(seconds=settings.job_lost_after_seconds),
            stall_after=timedelta(seconds=settings.job_stall_seconds),
        )


class LivenessSettings(Protocol):
    """The settings a service schedules work with (its ``job_*_seconds``)."""

    @property
    def job_heartbeat_seconds(self) -> float: ...
    @property
    def job_lost_after_seconds(self) -> float: ...
    @property
    def job_stall_seconds(self) -> float: ...


class TaskTransitions:
    """The task-level writes of a run history (its base): each transition guarded by the
    task's current state, a failed task failing its run."""

    def __init__(
        self,
        engine: Engine,
        tables: HistoryTables,
        *,
        liveness: Liveness | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.engine = engine
        self.tables = tables
        self.liveness = liveness or Liveness()
        self.clock = clock

    def _fail_run(self, conn: Connection, run_id: str, error: str) -> bool:
        runs, task_runs = self.tables.runs, self.tables.task_runs
        now = self.clock()
        failed = conn.execute(
            update(runs)
            .where(runs.c.id == run_id, runs.c.state.in_(ACTIVE_RUN_STATES))
            .values(
                state=RunState.FAILED,
                error=error[:ERROR_LENGTH],
                finished_at=now,
                updated_at=now,
                active_graph=None,
            )
        ).rowcount
        conn.execute(
            update(task_runs)
            .where(
                task_runs.c.run_id == run_id,
                task_runs.c.state.in_((TaskState.PENDING, TaskState.RETRYING)),
            )
            .values(state=TaskState.CANCELLED, lost_after=None)
        )
        if failed:
            logger.warning("run {} failed: {}", run_id, error)
        return bool(failed)

    # -- tasks ------------------------------------------------------------------------------
    def task_row(self, run_id: str, task: str) -> RowMapping | None:
        task_runs = self.tables.task_runs
        with self.engine.connect() as conn:
            return (
                conn.execute(
                    select(task_runs).where(task_runs.c.run_id == run_id, task_runs.c.task == task)
                )
                .mappings()
                .first()
            )

    def upstream(self, run_id: str, names: Iterable[str]) -> dict[str, RowMapping]:
        task_runs = self.tables.task_runs
        wanted = list(names)
        if not wanted:
            return {}
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(task_runs).where(task_runs.c.run_id == run_id, task_runs.c.task.in_(wanted))
            ).mappings()
            return {str(row["task"]): row for row in rows}

    def last_result(self, graph: str, task: str) -> Result | None:
        """The task's latest successful (or kept) result in any run of ``graph``."""
        task_runs = self.tables.task_runs
        with self.engine.connect() as conn:
            row = (
                conn.execute(
                    select(task_runs)
                    .where(
                        task_runs.c.graph == graph,
                        task_runs.c.task == task,
                        task_runs.c.state.in_(RESULT_STATES),
                    )
                    .order_by(task_runs.c.finished_at.desc())
                    .limit(1)
                )
                .mappings()
                .first()
            )
        if row is None or row["fingerprint"] is None or row["output_key"] is None:
            return None
        produced = as_utc(row["produced_at"]) or as_utc(row["finished_at"])
        assert produced is not None
        return Result(
            run_id=str(row["kept_from"] or row["run_id"]),
            fingerprint=str(row["fingerprint"]),
            inputs_version=row["inputs_version"],
            upstream_keys=dict(row["upstream_keys"] or {}),
            output_key=str(row["output_key"]),
            output=row["output"],
            produced_at=produced,
        )

    def keep(self, run_id: str, task: str, decision: Decision, facts: Facts) -> bool:
        """Record that the task kept its previous result (copied into this run)."""
        previous = decision.previous
        assert previous is not None, "a kept result has a previous one"
        now = self.clock()
        return self._transition(
            run_id,
            task,
            (TaskState.PENDING, TaskState.RETRYING),
            state=TaskState.KEPT,
            reason=decision.reason,
            reason_text=decision.text[:400],
            fingerprint=facts.fingerprint,
            inputs_version=_clip(facts.inputs_version),
            upstream_keys=dict(facts.upstream_keys),
            output_key=previous.output_key,
            output=dict(previous.output) if previous.output is not None else None,
            kept_from=previous.run_id,
            produced_at=previous.produced_at,
            started_at=now,
            finished_at=now,
            error=None,
        )

    def begin(self, run_id: str, task: str, decision: Decision | None, facts: Facts | None) -> int:
        """Record the start of an attempt (the decision with the first); returns the attempt
        number, 0 when the task is no longer startable (it was failed or reaped)."""
        task_runs = self.tables.task_runs
        now = self.clock()
        values: dict[str, Any] = {
            "state": TaskState.RUNNING,
            "attempts": task_runs.c.attempts + 1,
            "heartbeat_at": now,
            "lost_after": now + self.liveness.lost_after,
            "started_at": func.coalesce(task_runs.c.started_at, now),
        }
        if decision is not None and facts is not None:
            values |= {
                "reason": decision.reason,
                "reason_text": decision.text[:400],
                "fingerprint": facts.fingerprint,
                "inputs_version": _clip(facts.inputs_version),
                "upstream_keys": dict(facts.upstream_keys),
                "output_key": facts.output_key,
            }
        states = (TaskState.PENDING, TaskState.RETRYING, TaskState.RUNNING)
        if not self._transition(run_id, task, states, **values):
            return 0
        row = self.task_row(run_id, task)
        return int(row["attempts"]) if row is not None else 0

    def beat(self, run_id: str, task: str) -> bool:
        """A running task's heartbeat; false when it is no longer running (reaped)."""
        now = self.clock()
        return self._transition(
            run_id,
            task,
            (TaskState.RUNNING,),
            heartbeat_at=now,
            lost_after=now + self.liveness.lost_after,
        )

    def retrying(self, run_id: str, task: str, exc: BaseException, countdown: float) -> None:
        now = self.clock()
        self._transition(
            run_id,
            task,
            (TaskState.PENDING, TaskState.RUNNING),
            state=TaskState.RETRYING,
            error=error_text(exc),
            lost_after=now + timedelta(seconds=countdown) + self.liveness.lost_after,
        )

    def succeed(
        self, run_id: str, task: str, output: Mapping[str, Any] | None, duration: float
    ) -> bool:
        now = self.clock()
        return self._transition(
            run_id,
            task,
            (TaskState.RUNNING,),
            state=TaskState.SUCCEEDED,
            output=dict(output) if output is not None else None,
            produced_at=now,
            finished_at=now,
            duration_seconds=duration,
            lost_after=None,
            error=None,
        )

    def fail_task(self, run_id: str, task: str, error: str) -> None:
        """The task failed for good: so does its run (its pending tasks are cancelled)."""
        task_runs = self.tables.task_runs
        now = self.clock()
        with self.engine.begin() as conn:
            conn.execute(
                update(task_runs)
                .where(
                    task_runs.c.run_id == run_id,
                    task_runs.c.task == task,
                    task_runs.c.state.in_(
                        (TaskState.PENDING, TaskState.RUNNING, TaskState.RETRYING)
                    ),
                )
                .values(
                    state=TaskState.FAILED,
                    error=error[:ERROR_LENGTH],
                    finished_at=now,
                    lost_after=None,
                )
            )
            self._fail_run(conn, run_id, f"task {task} failed: {error}")

    def _transition(
        self, run_id: str, task: str, states: tuple[TaskState, ...], **values: Any
    ) -> bool:
        runs, task_runs = self.tables.runs, self.tables.task_runs
        with self.engine.begin() as conn:
            changed = conn.execute(
                update(task_runs)
                .where(
                    task_runs.c.run_id == run_id,
                    task_runs.c.task == task,
                    task_runs.c.state.in_(states),
                )
                .values(**values)
            ).rowcount
            if changed:
                conn.execute(
                    update(runs).where(runs.c.id == run_id).values(updated_at=self.clock())
                )
        return bool(changed)


def _clip(value: str | None) -> str | None:
    return value[:200] if value is not None else None
