"""The training graph as declared is the graph that runs and the one that is drawn.

A forced run on a real worker is watched through Celery's own task events: the Celery tasks
the worker receives for the run are exactly the declared steps (plus the run's start and
finish), each starts after the steps it depends on finished, and ``/pipeline`` and
``/jobs/graphs/...`` list the same steps and edges. A step added to the declaration but not
run, run but not declared, or drawn but not declared fails here.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient

from recommender.main import create_app
from recommender.training.jobs import TRAINING
from soundstream_testing import wait_until

from .conftest import RESULT_TIMEOUT, Pipeline


@contextmanager
def received_tasks(pipeline: Pipeline) -> Iterator[list[dict[str, Any]]]:
    """Every ``task-received`` event the workers send while the block runs.

    One subscription for the whole block (events are broadcast: any gap between two
    subscriptions would lose some), and the block starts only once a probe event sent by the
    test itself came back through it."""
    events: list[dict[str, Any]] = []
    ready = threading.Event()
    receivers: list[Any] = []

    def listen() -> None:
        with pipeline.celery.connection_for_read() as connection:
            receiver = pipeline.celery.events.Receiver(
                connection,
                handlers={"task-received": events.append, PROBE: lambda _: ready.set()},
            )
            receivers.append(receiver)
            receiver.capture(limit=None, timeout=None, wakeup=False)

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    with pipeline.celery.events.default_dispatcher() as dispatcher:

        def probe_came_back() -> bool:
            dispatcher.send(PROBE)
            return ready.wait(0.2)

        wait_until(probe_came_back, what="the event receiver to subscribe", poll=0)
    try:
        yield events
    finally:
        receivers[0].should_stop = True
        thread.join(timeout=10)


PROBE = "soundstream-test-probe"


def test_the_declared_graph_is_what_runs_and_what_is_drawn(pipeline: Pipeline) -> None:
    bound = pipeline.jobs.training
    graph = bound.graph
    with received_tasks(pipeline) as events:
        run = pipeline.retrain(force=True)
        run.get(timeout=RESULT_TIMEOUT)
        history = pipeline.run(run.id)
        wait_until(
            lambda: any(e["name"] == bound.finisher_name and run.id in e["args"] for e in events),
            what="the finish task's event",
        )

    for_run = [e for e in events if run.id in e.get("args", "") or run.id in e.get("kwargs", "")]
    names = sorted(e["name"] for e in for_run)
    declared = sorted(bound.task_name(name) for name in graph.tasks)
    assert names == sorted([*declared, bound.launcher_name, bound.finisher_name])

    assert [task.task for task in history.tasks] == list(graph.tasks)
    assert {task.state.value for task in history.tasks} == {"succeeded"}
    times = {task.task: (task.started_at, task.finished_at) for task in history.tasks}
    for dependency, task in graph.edges:
        finished, started = times[dependency][1], times[task][0]
        assert finished is not None
        assert started is not None
        assert finished <= started, f"{task} started before {dependency} finished"

    with TestClient(create_app(pipeline.settings)) as client:
        drawn = client.get("/pipeline").json()
        described = client.get(f"/jobs/graphs/{TRAINING}").json()
    assert [step["id"] for step in drawn["steps"]] == list(graph.tasks)
    assert [step["task"] for step in drawn["steps"]] == [
        bound.task_name(name) for name in graph.tasks
    ]
    assert [tuple(edge) for edge in drawn["edges"]] == graph.edges
    assert [task["name"] for task in described["tasks"]] == list(graph.tasks)
    assert [tuple(edge) for edge in described["edges"]] == graph.edges
    assert described["levels"] == graph.levels()
    assert {task["last"]["state"] for task in described["tasks"]} == {"succeeded"}
