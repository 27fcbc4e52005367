"""One task of one run, on a worker: decide (run or keep), heartbeat, record the outcome.

:class:`GraphTask` is the Celery task class of every declared task. Its body
(:func:`execute`) first checks that the run is still on (a task of a failed run, redelivered
or still queued when its run died, stops at once without touching anything), decides from the
history whether the task keeps its last result, and otherwise runs the function while a
thread renews its heartbeat. Celery's own retry options (from the task's :class:`Retry`)
retry transient errors; :meth:`GraphTask.record_error` records each failed attempt before
Celery reports it, so that whoever waits on a run's Celery result finds the history already
up to date.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import TYPE_CHECKING, Any

from celery import Task as CeleryTask
from celery.exceptions import Ignore
from loguru import logger
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import SQLAlchemyError

from soundstream_taskgraph.context import RunAbandonedError, TaskContext
from soundstream_taskgraph.decide import Facts, Result, decide, short
from soundstream_taskgraph.declare import Task
from soundstream_taskgraph.history import RunHistory
from soundstream_taskgraph.tables import ACTIVE_RUN_STATES, FINAL_TASK_STATES, TaskState
from soundstream_taskgraph.transitions import as_utc, error_text

if TYPE_CHECKING:
    from soundstream_taskgraph.runtime import BoundGraph


class GraphTask(CeleryTask):  # type: ignore[misc]
    """The Celery task class of a declared task (``binding`` and ``declared`` are set per
    task when it is registered)."""

    binding: BoundGraph
    declared: Task
    typing = True

    @cached_property
    def fingerprint(self) -> str:
        return self.binding.fingerprints[self.declared.name]

    def on_failure(
        self, exc: BaseException, _task_id: str, args: Any, _kwargs: Any, _einfo: Any
    ) -> None:
        """Failures the body did not record itself (a hard time limit, the history down)."""
        if isinstance(exc, RunAbandonedError):
            return
        self.binding.history().fail_task(_run_id(args), self.declared.name, error_text(exc))

    def record_error(self, run_id: str, exc: Exception) -> None:
        """Record a failed attempt before Celery reports it: ``retrying`` when Celery's retry
        options will retry it, else ``failed`` (with the run)."""
        policy = self.declared.retries
        history = self.binding.history()
        retries = int(self.request.retries)
        if isinstance(exc, policy.on) and retries < policy.max_retries:
            countdown = min(policy.backoff_max, policy.backoff * 2**retries)
            logger.warning(
                "{}: {} attempt {} failed ({}), retrying within {:.0f} s",
                self.binding.graph.name,
                self.declared.name,
                retries + 1,
                error_text(exc),
                countdown,
            )
            history.retrying(run_id, self.declared.name, exc, countdown)
        elif not isinstance(exc, RunAbandonedError):
            history.fail_task(run_id, self.declared.name, error_text(exc))


def _run_id(args: Any) -> str:
    return str(args[0])


def _available(declared: Task, previous: Result | None) -> bool:
    """Whether the previous result can still be used (by the task's own check)."""
    if previous is None or declared.available is None:
        return True
    return declared.available(previous.output or {})


@contextmanager
def heartbeat(history: RunHistory, run_id: str, task: str) -> Iterator[None]:
    """Renew the task's heartbeat every ``liveness.heartbeat`` while the block runs."""
    stop = threading.Event()
    interval = history.liveness.heartbeat.total_seconds()

    def beat() -> None:
        while not stop.wait(interval):
            try:
                if not history.beat(run_id, task):
                    logger.warning("{} of run {} was declared lost", task, short(run_id))
                    return
            except SQLAlchemyError as exc:
                logger.warning("heartbeat of {} not recorded: {}", task, exc)

    thread = threading.Thread(target=beat, name=f"heartbeat-{task}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def execute(celery_task: GraphTask, run_id: str) -> dict[str, Any]:
    """The body of every declared task's Celery task."""
    binding, declared = celery_task.binding, celery_task.declared
    graph, name = binding.graph.name, declared.name
    history = binding.history()
    run = history.run_row(run_id)
    row = history.task_row(run_id, name)
    if run is None or row is None or run["state"] not in ACTIVE_RUN_STATES:
        logger.info("{}: {} of run {} skipped: the run is over", graph, name, short(run_id))
        raise Ignore()
    if row["state"] in FINAL_TASK_STATES:
        raise Ignore()
    allowed = declared.retries.max_retries + 2
    if int(row["attempts"]) >= allowed:
        history.fail_task(run_id, name, f"started {row['attempts']} times: its worker kept dying")
        raise Ignore()
    try:
        return _decide_and_run(celery_task, history, run, row)
    except (Ignore, RunAbandonedError):
        raise
    except Exception as exc:
        try:
            celery_task.record_error(run_id, exc)
        except SQLAlchemyError as unrecorded:
            logger.error("{} of run {} not recorded: {}", name, short(run_id), unrecorded)
        raise


def _decide_and_run(
    celery_task: GraphTask, history: RunHistory, run: RowMapping, row: RowMapping
) -> dict[str, Any]:
    """Keep the last result, or run the function under a heartbeat; record either."""
    declared = celery_task.declared
    graph, name, run_id = celery_task.binding.graph.name, declared.name, str(run["id"])
    upstream = history.upstream(run_id, declared.dependencies)
    if row["reason"] is None:
        inputs = declared.inputs(declared.params) if declared.inputs is not None else None
        facts = Facts(
            fingerprint=celery_task.fingerprint,
            inputs_version=inputs,
            upstream_keys={dep: str(upstream[dep]["output_key"]) for dep in upstream},
        )
        previous = history.last_result(graph, name)
        decision = decide(
            facts=facts,
            previous=previous,
            ttl=declared.ttl,
            now=history.clock(),
            force=bool(run["force"]),
            available=_available(declared, previous),
        )
        if decision.keep:
            history.keep(run_id, name, decision, facts)
            logger.info("{}: {} kept: {}", graph, name, decision.text)
            return {"task": name, "state": TaskState.KEPT.value}
        logger.info("{}: {} runs: {}", graph, name, decision.text)
        attempt = history.begin(run_id, name, decision, facts)
    else:
        facts = Facts(row["fingerprint"], row["inputs_version"], row["upstream_keys"] or {})
        attempt = history.begin(run_id, name, None, None)
    if attempt == 0:
        raise Ignore()

    def active() -> bool:
        current = history.task_row(run_id, name)
        return current is not None and current["state"] == TaskState.RUNNING

    context = TaskContext(
        graph=graph,
        task=name,
        run_id=run_id,
        run_started_at=as_utc(run["started_at"]) or history.clock(),
        attempt=attempt,
        force=bool(run["force"]),
        params=declared.params,
        upstream={dep: dict(done["output"] or {}) for dep, done in upstream.items()},
        result_key=facts.output_key,
        inputs_version=facts.inputs_version,
        _active=active,
    )
    started = time.perf_counter()
    with heartbeat(history, run_id, name):
        output = declared.run(context)
    seconds = time.perf_counter() - started
    if not history.succeed(run_id, name, output, seconds):
        raise RunAbandonedError(f"{name} of run {run_id} finished after it was declared lost")
    logger.info("{}: {} succeeded in {:.1f} s", graph, name, seconds)
    return {"task": name, "state": TaskState.SUCCEEDED.value}
