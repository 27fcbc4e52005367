"""Graphs for the tests, run by a real Celery worker (``celery -A taskgraph_toy worker``).

Configured from the environment (``TOY_REDIS_URL``, ``TOY_DATABASE_URL``, ``TOY_QUEUE``,
``TOY_PREFIX``), read when the app is first used, never at import. Tasks coordinate with the
test through Redis keys under ``TOY_PREFIX``:

- ``toy.demo``: ``start -> (left, right) -> join``; ``left`` and ``right`` each wait until
  the other has started (they only finish when they run at the same time).
- ``toy.retries``: ``flaky`` fails with a transient error while ``flaky-failures`` is
  positive; ``strict`` always fails with a bad-input error.
- ``toy.block``: ``hold`` waits until ``release`` is set.
"""

from __future__ import annotations

import os
import time
from datetime import timedelta
from functools import cache
from typing import Any

import redis
from celery import Celery
from pydantic import SecretStr

from soundstream_common.db import create_db_engine, make_metadata
from soundstream_taskgraph import (
    UNCHANGED,
    BoundGraph,
    Daily,
    Graph,
    Liveness,
    Monthly,
    Retry,
    RunHistory,
    Task,
    TaskContext,
    Weekly,
    configure_celery,
    history_tables,
    install_beat_schedule,
)
from soundstream_taskgraph.metrics import enable_worker_metrics

METADATA = make_metadata()
TABLES = history_tables(METADATA)
LIVENESS = Liveness(
    heartbeat=timedelta(seconds=1), lost_after=timedelta(seconds=4), stall_after=timedelta(hours=1)
)
WAIT_SECONDS = 60.0


class TransientError(RuntimeError):
    """A dependency that is down for a moment."""


def _redis() -> redis.Redis:
    return redis.Redis.from_url(os.environ["TOY_REDIS_URL"])


def key(name: str) -> str:
    return f"{os.environ['TOY_PREFIX']}:{name}"


def _wait_for(name: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    client = _redis()
    while not client.exists(key(name)):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{name} never came")
        time.sleep(0.02)


def dataset_version(_params: Any) -> str | None:
    value = _redis().get(key("inputs"))
    return value.decode() if isinstance(value, bytes) else None


def start(ctx: TaskContext) -> dict[str, Any]:
    return {"value": ctx.params["base"]}


def branch(ctx: TaskContext) -> dict[str, Any]:
    other = "right" if ctx.task == "left" else "left"
    _redis().set(key(f"arrived:{ctx.run_id}:{ctx.task}"), 1)
    _wait_for(f"arrived:{ctx.run_id}:{other}")
    return {"value": ctx.output_of("start")["value"] + 1}


def join(ctx: TaskContext) -> dict[str, Any]:
    total = ctx.output_of("left")["value"] + ctx.output_of("right")["value"]
    return {"total": total * 1}


def flaky(ctx: TaskContext) -> dict[str, Any]:
    left = _redis().decr(key("flaky-failures"))
    if left >= 0:
        raise TransientError(f"down for {left + 1} more attempt(s)")
    return {"attempt": ctx.attempt}


def strict(ctx: TaskContext) -> dict[str, Any]:
    raise ValueError("the input is malformed")


def hold(ctx: TaskContext) -> dict[str, Any]:
    _redis().set(key("holding"), ctx.run_id)
    _wait_for("release")
    return {"held": True}


TRANSIENT = Retry(on=(TransientError,), max_retries=3, backoff=0.2, backoff_max=1.0)

GRAPHS = [
    Graph(
        "toy.demo",
        [
            Task(
                "start",
                start,
                params={"base": 1},
                inputs=dataset_version,
                ttl=timedelta(hours=1),
                runs_on=Daily(3, 15),
                description="Reads the outside inputs.",
            ),
            Task("left", branch, depends_on=["start"], ttl=UNCHANGED),
            Task("right", branch, depends_on=["start"], ttl=UNCHANGED),
            Task("join", join, depends_on=["left", "right"], ttl=UNCHANGED, idempotent=True),
        ],
    ),
    Graph(
        "toy.retries",
        [
            Task("flaky", flaky, retries=TRANSIENT, runs_on=Weekly("tuesday", 4, 30)),
            Task("strict", strict, retries=TRANSIENT, runs_on=Monthly(1, 5)),
        ],
    ),
    Graph("toy.block", [Task("hold", hold)]),
]


@cache
def history() -> RunHistory:
    return RunHistory(create_db_engine(os.environ["TOY_DATABASE_URL"]), TABLES, liveness=LIVENESS)


@cache
def bound() -> tuple[Celery, dict[str, BoundGraph]]:
    celery = Celery("toy")
    configure_celery(
        celery,
        broker_url=os.environ["TOY_REDIS_URL"],
        queue=os.environ["TOY_QUEUE"],
        soft_time_limit=120,
        time_limit=150,
    )
    graphs = {
        graph.name: BoundGraph(celery, graph, history, queue=os.environ["TOY_QUEUE"])
        for graph in GRAPHS
    }
    install_beat_schedule(celery, graphs.values())
    if os.environ.get("TOY_METRICS_PORT"):
        enable_worker_metrics(
            host="127.0.0.1",
            port=int(os.environ["TOY_METRICS_PORT"]),
            token=SecretStr(os.environ["TOY_METRICS_TOKEN"]),
            broker_url=os.environ["TOY_REDIS_URL"],
            queues=[os.environ["TOY_QUEUE"]],
        )
    return celery, graphs


def __getattr__(name: str) -> Celery:
    if name == "app":
        return bound()[0]
    raise AttributeError(name)
