"""Declarations: validation, levels, selections, schedules and their beat entries."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from celery import Celery

from soundstream_taskgraph import (
    ON_DEMAND,
    BoundGraph,
    Daily,
    Graph,
    GraphDeclarationError,
    Monthly,
    Task,
    TaskContext,
    Weekly,
)
from soundstream_taskgraph.schedules import ScheduleError

from . import taskgraph_toy as toy


def noop(ctx: TaskContext) -> None:
    return None


def graph_of(*tasks: Task) -> Graph:
    return Graph("test.graph", tasks)


def test_levels_follow_the_longest_path_in_declaration_order() -> None:
    graph = graph_of(
        Task("a", noop),
        Task("b", noop, depends_on=["a"]),
        Task("c", noop, depends_on=["a"]),
        Task("d", noop, depends_on=["b", "a"]),
        Task("e", noop),
    )

    assert graph.levels() == [["a", "e"], ["b", "c"], ["d"]]
    assert graph.edges == [("a", "b"), ("a", "c"), ("b", "d"), ("a", "d")]
    assert graph.selection(["d"]) == ["a", "b", "d"]
    assert graph.levels(graph.selection(["d"])) == [["a"], ["b"], ["d"]]


@pytest.mark.parametrize(
    ("tasks", "message"),
    [
        ([Task("a", noop, depends_on=["b"]), Task("b", noop, depends_on=["a"])], "cycle"),
        ([Task("a", noop, depends_on=["z"])], "unknown"),
        ([Task("a", noop), Task("a", noop)], "declared twice"),
        ([], "no tasks"),
    ],
)
def test_a_broken_graph_is_refused_when_declared(tasks: list[Task], message: str) -> None:
    with pytest.raises(GraphDeclarationError, match=message):
        graph_of(*tasks)


@pytest.mark.parametrize("name", ["Train", "train:tags", "", "x" * 64, "1st"])
def test_task_names_are_plain_identifiers(name: str) -> None:
    with pytest.raises(GraphDeclarationError, match="task name"):
        Task(name, noop)


def test_graph_names_start_with_the_service() -> None:
    with pytest.raises(GraphDeclarationError, match="graph name"):
        Graph("training", [Task("a", noop)])
    assert Graph("recommender.training", [Task("a", noop)]).service == "recommender"


def test_unknown_targets_are_refused() -> None:
    with pytest.raises(GraphDeclarationError, match="no task 'zzz'"):
        graph_of(Task("a", noop)).selection(["zzz"])


@pytest.mark.parametrize(
    "make",
    [
        lambda: Daily(24, 0),
        lambda: Daily(3, 60),
        lambda: Weekly("someday", 1),  # type: ignore[arg-type]
        lambda: Monthly(0, 3),
        lambda: Monthly(32, 3),
        lambda: Monthly(True, 3),
    ],
)
def test_schedules_outside_the_calendar_are_refused(make: Any) -> None:
    with pytest.raises(ScheduleError):
        make()


def test_scheduled_runs_take_their_followers_and_dependencies() -> None:
    graph = graph_of(
        Task("extract", noop, runs_on=Daily(2, 0)),
        Task("views", noop, depends_on=["extract"]),
        Task("report", noop, depends_on=["views"], runs_on=Monthly(1, 6)),
        Task("adhoc", noop, depends_on=["views"], runs_on=ON_DEMAND),
    )

    assert graph.scheduled() == {
        Daily(2, 0): ["extract", "views"],
        Monthly(1, 6): ["extract", "views", "report"],
    }


def next_due(entry: dict[str, Any], after: datetime) -> datetime:
    schedule = entry["schedule"]
    schedule.nowfun = lambda: after
    due: datetime = after + schedule.remaining_estimate(after)
    return due


def test_weekly_and_monthly_tasks_get_their_beat_entries() -> None:
    app = Celery("beat-test")
    bound = BoundGraph(app, toy.GRAPHS[1], toy.history, queue="jobs")

    entries = bound.beat_schedule()

    assert set(entries) == {
        "toy.retries: weekly tuesday 04:30 UTC",
        "toy.retries: monthly day 1 05:00 UTC",
    }
    weekly = entries["toy.retries: weekly tuesday 04:30 UTC"]
    monthly = entries["toy.retries: monthly day 1 05:00 UTC"]
    assert weekly["task"] == monthly["task"] == "toy.retries.run"
    assert weekly["kwargs"] == {
        "targets": ["flaky"],
        "trigger": "schedule: weekly tuesday 04:30 UTC",
    }
    assert monthly["kwargs"] == {
        "targets": ["strict"],
        "trigger": "schedule: monthly day 1 05:00 UTC",
    }
    assert weekly["options"] == {"queue": "jobs"}
    wednesday = datetime(2026, 1, 14, 10, 0, tzinfo=UTC)
    assert next_due(weekly, wednesday) == datetime(2026, 1, 20, 4, 30, tzinfo=UTC)
    assert next_due(monthly, wednesday) == datetime(2026, 2, 1, 5, 0, tzinfo=UTC)
    # The 31st exists in May, not in April.
    on_31st = BoundGraph(
        app, graph_of(Task("a", noop, runs_on=Monthly(31, 5))), toy.history, queue="jobs"
    )
    [entry] = on_31st.beat_schedule().values()
    assert next_due(entry, datetime(2026, 4, 2, tzinfo=UTC)) == datetime(2026, 5, 31, 5, tzinfo=UTC)


def test_a_daily_root_schedules_the_whole_graph() -> None:
    bound = BoundGraph(Celery("beat-test"), toy.GRAPHS[0], toy.history, queue="jobs")

    [(name, entry)] = bound.beat_schedule().items()

    assert name == "toy.demo: daily 03:15 UTC"
    assert entry["kwargs"]["targets"] is None
    assert next_due(entry, datetime(2026, 3, 1, 3, 15, tzinfo=UTC)) == datetime(
        2026, 3, 2, 3, 15, tzinfo=UTC
    )
