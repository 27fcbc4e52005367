"""Reading the run history: pages of runs, one run with its tasks, each task's last state.

Readers reap first (:meth:`RunHistory.reap`), so what they answer never shows a task of a
dead worker as running.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.engine import RowMapping

from soundstream_taskgraph.history import RunHistory
from soundstream_taskgraph.records import RunRead, TaskRunRead
from soundstream_taskgraph.tables import RunState
from soundstream_taskgraph.transitions import as_utc

RECENT_RUNS = 50
"""Runs looked at for each task's last state."""


class RunNotFoundError(LookupError):
    def __init__(self, run_id: str) -> None:
        super().__init__(f"no run {run_id}")
        self.run_id = run_id


def _task(row: RowMapping) -> TaskRunRead:
    return TaskRunRead(
        task=row["task"],
        state=row["state"],
        attempts=row["attempts"],
        reason=row["reason"],
        reason_text=row["reason_text"],
        kept_from=row["kept_from"],
        inputs_version=row["inputs_version"],
        started_at=as_utc(row["started_at"]),
        finished_at=as_utc(row["finished_at"]),
        duration_seconds=row["duration_seconds"],
        error=row["error"],
        output=row["output"],
    )


def _run(row: RowMapping, tasks: Sequence[TaskRunRead]) -> RunRead:
    started, finished = as_utc(row["started_at"]), as_utc(row["finished_at"])
    return RunRead(
        id=row["id"],
        graph=row["graph"],
        state=row["state"],
        trigger=row["trigger"],
        force=row["force"],
        targets=row["targets"],
        created_at=as_utc(row["created_at"]),
        started_at=started,
        finished_at=finished,
        duration_seconds=(finished - started).total_seconds() if started and finished else None,
        error=row["error"],
        counts=dict(Counter(task.state.value for task in tasks)),
        tasks=list(tasks),
    )


def _tasks_of(history: RunHistory, run_ids: list[str]) -> dict[str, list[TaskRunRead]]:
    task_runs = history.tables.task_runs
    grouped: dict[str, list[TaskRunRead]] = {run_id: [] for run_id in run_ids}
    if not run_ids:
        return grouped
    with history.engine.connect() as conn:
        rows = conn.execute(
            select(task_runs)
            .where(task_runs.c.run_id.in_(run_ids))
            .order_by(task_runs.c.run_id, task_runs.c.position)
        ).mappings()
        for row in rows:
            grouped[str(row["run_id"])].append(_task(row))
    return grouped


def list_runs(
    history: RunHistory,
    *,
    graph: str | None = None,
    state: RunState | None = None,
    limit: int = 20,
    offset: int = 0,
) -> tuple[list[RunRead], int]:
    """Runs newest first, with their tasks, and how many match in all."""
    history.reap()
    runs = history.tables.runs
    conditions = []
    if graph is not None:
        conditions.append(runs.c.graph == graph)
    if state is not None:
        conditions.append(runs.c.state == state)
    with history.engine.connect() as conn:
        total = int(conn.scalar(select(func.count()).select_from(runs).where(*conditions)) or 0)
        rows = list(
            conn.execute(
                select(runs)
                .where(*conditions)
                .order_by(runs.c.created_at.desc(), runs.c.id)
                .limit(limit)
                .offset(offset)
            ).mappings()
        )
    tasks = _tasks_of(history, [str(row["id"]) for row in rows])
    return [_run(row, tasks[str(row["id"])]) for row in rows], total


def get_run(history: RunHistory, run_id: str) -> RunRead:
    history.reap()
    runs = history.tables.runs
    with history.engine.connect() as conn:
        row = conn.execute(select(runs).where(runs.c.id == run_id)).mappings().first()
    if row is None:
        raise RunNotFoundError(run_id)
    return _run(row, _tasks_of(history, [run_id])[run_id])


def last_task_runs(history: RunHistory, graph: str) -> dict[str, TaskRunRead]:
    """Each task's row in the latest run that included it (pending while that run has not
    reached it yet)."""
    recent, _ = list_runs(history, graph=graph, limit=RECENT_RUNS)
    found: dict[str, TaskRunRead] = {}
    for run in recent:
        for task in run.tasks:
            found.setdefault(task.task, task)
    return found
