"""A graph bound to a Celery app: its tasks registered, its canvas, its beat entries, its runs.

Names: each declared task is the Celery task ``<graph>.<task>``; ``<graph>.run`` starts a run
(what beat and the API send) and ``<graph>.finish`` closes it. A run is the canvas::

    chain(level 1, level 2, ..., finish)

where a level of several tasks is a ``group`` (Celery makes ``group -> next step`` a chord),
so the tasks of a level run in parallel on as many worker processes as there are, and the
next level starts when the whole level is done. Tasks pass the run id only; what they return
is stored in the history and read from there by the tasks that depend on them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import cached_property
from typing import Any

from celery import Celery, chain, group
from celery.canvas import Signature
from celery.exceptions import Ignore
from loguru import logger

from soundstream_taskgraph.declare import Graph, Task
from soundstream_taskgraph.execute import GraphTask, execute
from soundstream_taskgraph.fingerprint import fingerprints
from soundstream_taskgraph.history import RunBusyError, RunHistory
from soundstream_taskgraph.queries import get_run

HistoryFactory = Callable[[], RunHistory]
KEEP_RUNS = 1000
"""Runs of a graph kept in the history (older ones are deleted when a run finishes)."""


class BoundGraph:
    """``graph`` registered on ``app``: Celery tasks, canvas, beat entries and run starts."""

    def __init__(
        self,
        app: Celery,
        graph: Graph,
        history: HistoryFactory,
        *,
        queue: str,
        keep_runs: int = KEEP_RUNS,
    ) -> None:
        self.app = app
        self.graph = graph
        self.history = history
        self.queue = queue
        self.keep_runs = keep_runs
        for task in graph.tasks.values():
            self._register(task)
        self._register_launcher()
        self._register_finisher()

    # -- names ------------------------------------------------------------------------------
    def task_name(self, task: str) -> str:
        return f"{self.graph.name}.{task}"

    @property
    def launcher_name(self) -> str:
        return f"{self.graph.name}.run"

    @property
    def finisher_name(self) -> str:
        return f"{self.graph.name}.finish"

    @cached_property
    def fingerprints(self) -> dict[str, str]:
        """Each task's definition fingerprint (computed once per process)."""
        return fingerprints(self.graph.tasks.values())

    # -- registration -----------------------------------------------------------------------
    def _register(self, task: Task) -> None:
        options: dict[str, Any] = {
            **task.retries.celery_options(),
            "name": self.task_name(task.name),
            "bind": True,
            "base": GraphTask,
            "shared": False,
            "binding": self,
            "declared": task,
            "acks_late": task.idempotent,
            "reject_on_worker_lost": task.idempotent,
        }
        if task.soft_time_limit is not None:
            options["soft_time_limit"] = task.soft_time_limit
        if task.time_limit is not None:
            options["time_limit"] = task.time_limit

        def run(self: GraphTask, run_id: str) -> dict[str, Any]:
            return execute(self, run_id)

        run.__name__ = run.__qualname__ = task.name
        run.__doc__ = task.description or None
        self.app.task(**options)(run)

    def _register_launcher(self) -> None:
        binding = self

        def launch(
            self: Any,
            run_id: str | None = None,
            force: bool = False,
            targets: list[str] | None = None,
            trigger: str = "schedule",
        ) -> dict[str, Any]:
            return binding._launch(self, run_id, force, targets, trigger)

        launch.__name__ = launch.__qualname__ = "run"
        self.app.task(name=self.launcher_name, bind=True, shared=False)(launch)

    def _register_finisher(self) -> None:
        binding = self

        def finish(run_id: str) -> dict[str, Any]:
            return binding._finish(run_id)

        finish.__name__ = finish.__qualname__ = "finish"
        self.app.task(name=self.finisher_name, shared=False)(finish)

    # -- running ----------------------------------------------------------------------------
    def start(
        self, *, force: bool = False, targets: list[str] | None = None, trigger: str = "api"
    ) -> str:
        """Record a new run and queue it; returns its id (also the id of its Celery result,
        which resolves to the run's summary). Raises :class:`RunBusyError` while another run
        of the graph is active, and :class:`GraphDeclarationError` for an unknown target."""
        selection = self.graph.selection(targets)
        run_id = uuid.uuid4().hex
        history = self.history()
        history.create_run(
            self.graph.name, selection, run_id=run_id, trigger=trigger, force=force, targets=targets
        )
        try:
            self.app.send_task(
                self.launcher_name,
                kwargs={"run_id": run_id, "force": force, "targets": targets, "trigger": trigger},
                task_id=run_id,
                queue=self.queue,
            )
        except Exception as exc:
            history.fail_run(run_id, f"could not queue the run: {exc}")
            raise
        return run_id

    def canvas(self, run_id: str, selection: list[str]) -> Signature:
        """The run as a Celery canvas: its levels in a chain, then ``finish``."""
        steps: list[Signature] = []
        for level in self.graph.levels(selection):
            signatures = [self._signature(self.task_name(name), run_id) for name in level]
            steps.append(group(signatures) if len(signatures) > 1 else signatures[0])
        steps.append(self._signature(self.finisher_name, run_id))
        return chain(*steps)

    def _signature(self, name: str, run_id: str) -> Signature:
        return self.app.signature(name, args=(run_id,), immutable=True, queue=self.queue)

    def _launch(
        self,
        celery_task: Any,
        run_id: str | None,
        force: bool,
        targets: list[str] | None,
        trigger: str,
    ) -> dict[str, Any]:
        history = self.history()
        selection = self.graph.selection(targets)
        if run_id is None:
            run_id = str(celery_task.request.id)
            try:
                history.create_run(
                    self.graph.name,
                    selection,
                    run_id=run_id,
                    trigger=trigger,
                    force=force,
                    targets=targets,
                )
            except RunBusyError as exc:
                logger.info("{}: {} not started, {} is running", self.graph.name, trigger, exc)
                return {"graph": self.graph.name, "state": "busy", "running": exc.running}
        if not history.start_run(run_id):
            raise Ignore()
        levels = self.graph.levels(selection)
        logger.info(
            "{}: run {} started ({}{}): {}",
            self.graph.name,
            run_id,
            trigger,
            ", forced" if force else "",
            " -> ".join("[" + ", ".join(level) + "]" for level in levels),
        )
        raise celery_task.replace(self.canvas(run_id, selection))

    def _finish(self, run_id: str) -> dict[str, Any]:
        history = self.history()
        history.finish_run(run_id)
        run = get_run(history, run_id)
        history.prune(self.graph.name, self.keep_runs)
        included = {task.task for task in run.tasks}
        needed = {dep for name in included for dep in self.graph.tasks[name].dependencies}
        kept = [t.task for t in run.tasks if t.state == "kept"]
        logger.info(
            "{}: run {} {}: {} ran, {} kept{}",
            self.graph.name,
            run_id,
            run.state.value,
            sum(t.state == "succeeded" for t in run.tasks),
            len(kept),
            f" ({', '.join(kept)})" if kept else "",
        )
        return {
            "run_id": run_id,
            "graph": self.graph.name,
            "state": run.state.value,
            "tasks": {task.task: task.state.value for task in run.tasks},
            "outputs": {t.task: t.output for t in run.tasks if t.task not in needed},
        }

    # -- schedules --------------------------------------------------------------------------
    def beat_schedule(self) -> dict[str, dict[str, Any]]:
        """Celery beat entries: one per schedule declared in the graph, sending
        ``<graph>.run`` for the tasks of that schedule (and what they depend on)."""
        entries: dict[str, dict[str, Any]] = {}
        everything = list(self.graph.tasks)
        for schedule, selection in self.graph.scheduled().items():
            entries[f"{self.graph.name}: {schedule.label}"] = {
                "task": self.launcher_name,
                "schedule": schedule.crontab(),
                "kwargs": {
                    "targets": None if selection == everything else selection,
                    "trigger": f"schedule: {schedule.label}",
                },
                "options": {"queue": self.queue},
            }
        return entries
