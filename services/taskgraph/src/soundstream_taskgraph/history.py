"""Writing the run history: runs (one active per graph), the reaper, pruning; the task-level
writes are in :mod:`soundstream_taskgraph.transitions`.

A running task renews ``lost_after`` (now + ``lost_after`` seconds) with each heartbeat; a
task waiting for its retry gets the retry's countdown on top. The reaper fails the tasks past
their ``lost_after`` (their worker died) and with them their run, which frees the graph for
the next run at once. A run with no task running and no progress for ``stall_after`` (no
worker took its next tasks) is failed too.
"""

from __future__ import annotations

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError

from soundstream_taskgraph.tables import ACTIVE_RUN_STATES, RESULT_STATES, RunState, TaskState
from soundstream_taskgraph.transitions import TaskTransitions, as_utc


class RunBusyError(RuntimeError):
    """The graph already has a queued or running run."""

    def __init__(self, graph: str, running: str | None) -> None:
        super().__init__(f"{graph} is already running ({running})")
        self.graph = graph
        self.running = running


class RunHistory(TaskTransitions):
    """The history of the graphs of one service, in that service's database."""

    # -- runs -------------------------------------------------------------------------------
    def create_run(
        self,
        graph: str,
        tasks: list[str],
        *,
        run_id: str,
        trigger: str,
        force: bool = False,
        targets: list[str] | None = None,
    ) -> None:
        """Record a queued run of ``graph`` with its tasks pending; raises
        :class:`RunBusyError` while another run of the graph is active (the reaper runs first,
        so a run whose worker died no longer counts)."""
        self.reap()
        now = self.clock()
        runs, task_runs = self.tables.runs, self.tables.task_runs
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(runs).values(
                        id=run_id,
                        graph=graph,
                        state=RunState.QUEUED,
                        trigger=trigger[:100],
                        force=force,
                        targets=targets,
                        created_at=now,
                        updated_at=now,
                        active_graph=graph,
                    )
                )
                conn.execute(
                    insert(task_runs),
                    [
                        {
                            "run_id": run_id,
                            "task": name,
                            "graph": graph,
                            "position": position,
                            "state": TaskState.PENDING,
                            "attempts": 0,
                        }
                        for position, name in enumerate(tasks)
                    ],
                )
        except IntegrityError as exc:
            running = self.active_run(graph)
            if running is None and self.run_state(run_id) is not None:
                raise ValueError(f"run {run_id} already exists") from exc
            raise RunBusyError(graph, running) from exc

    def active_run(self, graph: str) -> str | None:
        runs = self.tables.runs
        with self.engine.connect() as conn:
            found = conn.scalar(select(runs.c.id).where(runs.c.active_graph == graph))
        return str(found) if found is not None else None

    def run_state(self, run_id: str) -> RunState | None:
        row = self.run_row(run_id)
        return RunState(row["state"]) if row is not None else None

    def run_row(self, run_id: str) -> RowMapping | None:
        runs = self.tables.runs
        with self.engine.connect() as conn:
            return conn.execute(select(runs).where(runs.c.id == run_id)).mappings().first()

    def start_run(self, run_id: str) -> bool:
        """queued -> running; false when the run is no longer active."""
        runs = self.tables.runs
        now = self.clock()
        with self.engine.begin() as conn:
            conn.execute(
                update(runs)
                .where(runs.c.id == run_id, runs.c.state == RunState.QUEUED)
                .values(state=RunState.RUNNING, started_at=now, updated_at=now)
            )
            state = conn.scalar(select(runs.c.state).where(runs.c.id == run_id))
        return state == RunState.RUNNING

    def finish_run(self, run_id: str) -> RunState:
        """Close a run whose every task succeeded or kept its result."""
        runs, task_runs = self.tables.runs, self.tables.task_runs
        now = self.clock()
        with self.engine.begin() as conn:
            open_tasks = conn.scalar(
                select(func.count())
                .select_from(task_runs)
                .where(task_runs.c.run_id == run_id, task_runs.c.state.not_in(RESULT_STATES))
            )
            if open_tasks:
                raise RuntimeError(f"run {run_id} still has {open_tasks} unfinished task(s)")
            conn.execute(
                update(runs)
                .where(runs.c.id == run_id, runs.c.state.in_(ACTIVE_RUN_STATES))
                .values(
                    state=RunState.SUCCEEDED, finished_at=now, updated_at=now, active_graph=None
                )
            )
            state = conn.scalar(select(runs.c.state).where(runs.c.id == run_id))
        return RunState(str(state))

    def fail_run(self, run_id: str, error: str) -> bool:
        """Mark an active run failed and its tasks that have not started (or wait for a
        retry) cancelled; frees the graph. Running tasks finish (or are reaped) by themselves."""
        with self.engine.begin() as conn:
            return self._fail_run(conn, run_id, error)

    # -- the reaper -------------------------------------------------------------------------
    def reap(self) -> list[str]:
        """Fail the tasks whose worker went silent and the runs that stalled; returns the
        ids of the runs failed now."""
        runs, task_runs = self.tables.runs, self.tables.task_runs
        now = self.clock()
        failed: list[str] = []
        with self.engine.begin() as conn:
            lost = conn.execute(
                select(task_runs.c.run_id, task_runs.c.task, task_runs.c.heartbeat_at).where(
                    task_runs.c.state.in_((TaskState.RUNNING, TaskState.RETRYING)),
                    task_runs.c.lost_after < now,
                )
            ).all()
            for run_id, task, heartbeat in lost:
                seen = as_utc(heartbeat)
                error = "worker lost: no heartbeat" + (
                    f" since {seen:%H:%M:%S} UTC" if seen is not None else ""
                )
                conn.execute(
                    update(task_runs)
                    .where(
                        task_runs.c.run_id == run_id,
                        task_runs.c.task == task,
                        task_runs.c.state.in_((TaskState.RUNNING, TaskState.RETRYING)),
                    )
                    .values(state=TaskState.FAILED, error=error, finished_at=now, lost_after=None)
                )
                if self._fail_run(conn, run_id, f"task {task} failed: {error}"):
                    failed.append(run_id)
            busy = select(task_runs.c.run_id).where(
                task_runs.c.state.in_((TaskState.RUNNING, TaskState.RETRYING))
            )
            stalled = conn.scalars(
                select(runs.c.id).where(
                    runs.c.state.in_(ACTIVE_RUN_STATES),
                    runs.c.updated_at < now - self.liveness.stall_after,
                    runs.c.id.not_in(busy),
                )
            ).all()
            seconds = int(self.liveness.stall_after.total_seconds())
            for run_id in stalled:
                error = f"stalled: no task started or finished for {seconds} s (no worker?)"
                if self._fail_run(conn, run_id, error):
                    failed.append(run_id)
        return failed

    def prune(self, graph: str, keep: int) -> int:
        """Delete the runs of ``graph`` beyond the ``keep`` newest (their task runs go with
        them); an active run always stays. Kept results carry their own copy of the output,
        so a result outlives the run that made it."""
        runs = self.tables.runs
        newest = (
            select(runs.c.id)
            .where(runs.c.graph == graph)
            .order_by(runs.c.created_at.desc())
            .limit(keep)
        )
        with self.engine.begin() as conn:
            return int(
                conn.execute(
                    delete(runs).where(
                        runs.c.graph == graph,
                        runs.c.active_graph.is_(None),
                        runs.c.id.not_in(newest.scalar_subquery()),
                    )
                ).rowcount
            )
