"""The toy graphs on a real Celery worker (two processes), a real Redis and a SQLite history:
levels in parallel, retries, TTL and change detection, a worker killed mid-task."""

from __future__ import annotations

import os
import signal
import time
from datetime import datetime
from pathlib import Path

import pytest

from soundstream_taskgraph import Reason, RunBusyError, RunRead, RunState, TaskState
from soundstream_taskgraph.queries import get_run
from soundstream_testing import wait_until

from .conftest import DEADLINE_SECONDS, ToyStack, copy_toy_module

LOST_WITHIN_SECONDS = 10.0


def times(run: RunRead) -> dict[str, tuple[datetime, datetime]]:
    """Each task's (started, finished)."""
    found = {}
    for task in run.tasks:
        assert task.started_at is not None
        assert task.finished_at is not None
        found[task.task] = (task.started_at, task.finished_at)
    return found


def states(run: RunRead) -> dict[str, str]:
    return {task.task: task.state.value for task in run.tasks}


def test_a_level_runs_in_parallel_and_the_next_waits_for_it(toy_stack: ToyStack) -> None:
    toy_stack.redis.set(toy_stack.key("inputs"), "v1")
    with toy_stack.worker():
        run_id = toy_stack.start("toy.demo")
        # left and right each wait for the other to start: they finish only side by side.
        result = toy_stack.celery.AsyncResult(run_id).get(timeout=120)
        run = toy_stack.finished(run_id)

    assert run.state == RunState.SUCCEEDED, run
    assert states(run) == dict.fromkeys(("start", "left", "right", "join"), "succeeded")
    spans = times(run)
    assert spans["start"][1] <= min(spans["left"][0], spans["right"][0])
    assert max(spans["left"][1], spans["right"][1]) <= spans["join"][0]
    assert run.tasks[-1].output == {"total": 4}
    assert result["state"] == "succeeded"
    assert result["outputs"] == {"join": {"total": 4}}
    assert all(task.reason == Reason.FIRST for task in run.tasks)


def test_unchanged_results_are_kept_and_new_inputs_run_again(toy_stack: ToyStack) -> None:
    toy_stack.redis.set(toy_stack.key("inputs"), "v1")
    with toy_stack.worker():
        first = toy_stack.finished(toy_stack.start("toy.demo"))
        again = toy_stack.finished(toy_stack.start("toy.demo"))
        toy_stack.redis.set(toy_stack.key("inputs"), "v2")
        changed = toy_stack.finished(toy_stack.start("toy.demo"))
        forced = toy_stack.finished(toy_stack.start("toy.demo", force=True))

    assert first.state == again.state == changed.state == forced.state == RunState.SUCCEEDED
    kept = {task.task: task for task in again.tasks}
    assert {task.state for task in again.tasks} == {TaskState.KEPT}
    assert kept["start"].reason == Reason.TTL_NOT_ELAPSED
    assert (kept["start"].reason_text or "").startswith(
        f"TTL not elapsed: the result of run {first.id[:8]}"
    )
    assert kept["join"].reason == Reason.UNCHANGED
    assert kept["join"].reason_text == f"unchanged since run {first.id[:8]}"
    assert kept["join"].kept_from == first.id
    assert kept["join"].output == {"total": 4}

    ran = {task.task: task for task in changed.tasks}
    assert {task.state for task in changed.tasks} == {TaskState.SUCCEEDED}
    assert ran["start"].reason == Reason.INPUTS_CHANGED
    assert (ran["start"].reason_text or "").endswith("v1 -> v2")
    assert ran["left"].reason == Reason.INPUTS_CHANGED
    assert "new result of start" in (ran["left"].reason_text or "")
    assert {task.reason for task in forced.tasks} == {Reason.FORCED}


def test_a_changed_definition_runs_again_within_its_ttl(
    toy_stack: ToyStack, tmp_path: Path
) -> None:
    module = copy_toy_module(tmp_path / "code")
    toy_stack.redis.set(toy_stack.key("inputs"), "v1")
    with toy_stack.worker(module.parent):
        first = toy_stack.finished(toy_stack.start("toy.demo"))
    source = module.read_text()
    module.write_text(source.replace('return {"total": total * 1}', 'return {"total": total * 2}'))
    with toy_stack.worker(module.parent):
        second = toy_stack.finished(toy_stack.start("toy.demo"))

    assert first.state == second.state == RunState.SUCCEEDED
    tasks = {task.task: task for task in second.tasks}
    assert {n: t.state for n, t in tasks.items()} == {
        "start": TaskState.KEPT,
        "left": TaskState.KEPT,
        "right": TaskState.KEPT,
        "join": TaskState.SUCCEEDED,
    }
    assert tasks["join"].reason == Reason.DEFINITION_CHANGED
    assert tasks["join"].reason_text == f"definition changed since run {first.id[:8]}"
    assert tasks["join"].output == {"total": 8}


def test_transient_errors_are_retried_and_bad_input_is_not(toy_stack: ToyStack) -> None:
    toy_stack.redis.set(toy_stack.key("flaky-failures"), 2)
    with toy_stack.worker():
        flaky = toy_stack.finished(toy_stack.start("toy.retries", targets=["flaky"]))
        strict_id = toy_stack.start("toy.retries", targets=["strict"])
        with pytest.raises(ValueError, match="malformed"):
            toy_stack.celery.AsyncResult(strict_id).get(timeout=120, propagate=True)
        strict = toy_stack.finished(strict_id)

    [flaky_task] = flaky.tasks
    assert flaky.state == RunState.SUCCEEDED
    assert (flaky_task.state, flaky_task.attempts) == (TaskState.SUCCEEDED, 3)
    assert flaky_task.output == {"attempt": 3}
    [strict_task] = strict.tasks
    assert strict.state == RunState.FAILED
    assert (strict_task.state, strict_task.attempts) == (TaskState.FAILED, 1)
    assert strict_task.error == "ValueError: the input is malformed"
    assert strict.error == "task strict failed: ValueError: the input is malformed"


def test_a_worker_killed_mid_task_is_recorded_failed_and_the_next_run_starts(
    toy_stack: ToyStack,
) -> None:
    with toy_stack.worker() as worker:
        run_id = toy_stack.start("toy.block")
        wait_until(
            lambda: toy_stack.redis.exists(toy_stack.key("holding")) == 1,
            timeout=DEADLINE_SECONDS,
            what="hold to run",
        )
        with pytest.raises(RunBusyError):
            toy_stack.start("toy.block")
        os.killpg(worker.pid, signal.SIGKILL)
        killed = time.monotonic()
        worker.wait()

        def recorded_failed() -> bool:
            return get_run(toy_stack.history, run_id).state == RunState.FAILED

        wait_until(recorded_failed, timeout=30, what="the run to be recorded failed")
        assert time.monotonic() - killed < LOST_WITHIN_SECONDS
    run = get_run(toy_stack.history, run_id)
    [hold] = run.tasks
    assert hold.state == TaskState.FAILED
    assert (hold.error or "").startswith("worker lost: no heartbeat since")
    assert run.error is not None
    assert run.error.startswith("task hold failed: worker lost")

    toy_stack.redis.set(toy_stack.key("release"), 1)
    with toy_stack.worker():
        next_run = toy_stack.finished(toy_stack.start("toy.block"))
    assert next_run.state == RunState.SUCCEEDED
    assert next_run.tasks[0].output == {"held": True}
