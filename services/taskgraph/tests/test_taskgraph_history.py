"""The run history on SQLite and PostgreSQL: one active run per graph, guarded transitions,
the reaper, pruning and the reads."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from soundstream_common.db import create_db_engine, make_metadata
from soundstream_taskgraph import Liveness, RunBusyError, RunHistory, RunState, TaskState
from soundstream_taskgraph.decide import Decision, Facts, Reason
from soundstream_taskgraph.queries import get_run, last_task_runs, list_runs
from soundstream_taskgraph.tables import history_tables

START = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
FACTS = Facts(fingerprint="f", inputs_version="v1", upstream_keys={})
RAN = Decision(Reason.FIRST, "first run: no earlier result", None)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def history(database_url: str, clock: Clock) -> Iterator[RunHistory]:
    metadata = make_metadata()
    tables = history_tables(metadata)
    engine = create_db_engine(database_url)
    metadata.create_all(engine)
    liveness = Liveness(
        heartbeat=timedelta(seconds=2),
        lost_after=timedelta(seconds=8),
        stall_after=timedelta(minutes=30),
    )
    yield RunHistory(engine, tables, liveness=liveness, clock=clock)
    engine.dispose()


def new_run(history: RunHistory, run_id: str, tasks: list[str] | None = None) -> None:
    history.create_run("svc.graph", tasks or ["a", "b"], run_id=run_id, trigger="test")


def test_one_active_run_per_graph(history: RunHistory) -> None:
    new_run(history, "r1")

    with pytest.raises(RunBusyError) as busy:
        new_run(history, "r2")
    assert busy.value.running == "r1"
    history.create_run("svc.other", ["a"], run_id="r3", trigger="test")

    assert history.start_run("r1")
    history.fail_run("r1", "stopped by the test")
    new_run(history, "r2")
    assert history.active_run("svc.graph") == "r2"
    assert [t.state for t in get_run(history, "r1").tasks] == [TaskState.CANCELLED] * 2


def test_a_full_run_is_recorded(history: RunHistory, clock: Clock) -> None:
    new_run(history, "r1")
    history.start_run("r1")
    assert history.begin("r1", "a", RAN, FACTS) == 1
    clock.advance(3)
    assert history.succeed("r1", "a", {"rows": 3}, 3.0)
    previous = history.last_result("svc.graph", "a")
    assert previous is not None
    kept = Decision(Reason.UNCHANGED, "unchanged since run r1", previous)
    assert history.keep("r1", "b", kept, FACTS)
    assert history.finish_run("r1") == RunState.SUCCEEDED

    run = get_run(history, "r1")
    assert run.state == RunState.SUCCEEDED
    assert run.counts == {"succeeded": 1, "kept": 1}
    a, b = run.tasks
    assert (a.task, a.state, a.attempts, a.duration_seconds) == ("a", "succeeded", 1, 3.0)
    assert a.output == {"rows": 3}
    assert a.started_at == START
    assert (b.state, b.reason, b.kept_from, b.output) == ("kept", "unchanged", "r1", {"rows": 3})
    assert history.active_run("svc.graph") is None


def test_a_silent_task_is_reaped_and_frees_the_graph(history: RunHistory, clock: Clock) -> None:
    new_run(history, "r1")
    history.start_run("r1")
    history.begin("r1", "a", RAN, FACTS)
    clock.advance(6)
    assert history.beat("r1", "a")
    clock.advance(7)
    assert history.reap() == []
    clock.advance(2)

    assert history.reap() == ["r1"]

    run = get_run(history, "r1")
    assert run.state == RunState.FAILED
    assert [t.state for t in run.tasks] == [TaskState.FAILED, TaskState.CANCELLED]
    assert run.tasks[0].error == "worker lost: no heartbeat since 12:00:06 UTC"
    assert not history.beat("r1", "a"), "a lost task cannot come back"
    assert not history.succeed("r1", "a", {}, 1.0)
    new_run(history, "r2")


def test_a_retry_wait_is_not_silence(history: RunHistory, clock: Clock) -> None:
    new_run(history, "r1")
    history.begin("r1", "a", RAN, FACTS)
    history.retrying("r1", "a", ConnectionError("down"), countdown=30)
    clock.advance(35)
    assert history.reap() == []
    assert history.begin("r1", "a", None, None) == 2
    clock.advance(9)
    assert history.reap() == ["r1"]


def test_a_run_no_worker_takes_is_failed_after_the_stall_time(
    history: RunHistory, clock: Clock
) -> None:
    new_run(history, "r1")
    clock.advance(29 * 60)
    assert history.reap() == []
    clock.advance(2 * 60)

    assert history.reap() == ["r1"]
    assert (get_run(history, "r1").error or "").startswith("stalled")


def test_a_failed_task_fails_its_run_and_cancels_the_rest(history: RunHistory) -> None:
    new_run(history, "r1", ["a", "b", "c"])
    history.begin("r1", "a", RAN, FACTS)
    history.begin("r1", "b", RAN, FACTS)
    history.retrying("r1", "b", ConnectionError("down"), countdown=1)

    history.fail_task("r1", "a", "ValueError: bad")

    run = get_run(history, "r1")
    assert run.error == "task a failed: ValueError: bad"
    assert [t.state for t in run.tasks] == ["failed", "cancelled", "cancelled"]


def test_runs_are_listed_newest_first_and_pruned(history: RunHistory, clock: Clock) -> None:
    for number in range(5):
        new_run(history, f"r{number}", ["a"])
        history.fail_run(f"r{number}", "test")
        clock.advance(60)
    new_run(history, "r5", ["a"])

    runs, total = list_runs(history, graph="svc.graph", limit=3)
    assert total == 6
    assert [run.id for run in runs] == ["r5", "r4", "r3"]
    failed, total = list_runs(history, state=RunState.FAILED, limit=10, offset=3)
    assert (total, [run.id for run in failed]) == (5, ["r1", "r0"])
    assert last_task_runs(history, "svc.graph")["a"].state == TaskState.PENDING

    assert history.prune("svc.graph", keep=2) == 4
    assert [run.id for run in list_runs(history, limit=10)[0]] == ["r5", "r4"]
