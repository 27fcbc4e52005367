"""Horizontal scaling of the recommender's Celery workers: two real worker processes on one
training queue share the pipeline's tasks, and no task runs twice.

The snapshot comes over HTTP in the listening service's export format; Redis is the test
server (``RECOMMENDER_TEST_REDIS_URL``, under a key prefix and queue of this test's own).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import numpy as np
import pytest
import redis
import uvicorn
from fastapi import FastAPI
from fastapi.responses import StreamingResponse

from recommender.config import Settings
from recommender.db import MIGRATIONS
from recommender.serving.store import ModelStore
from recommender.training.jobs import create_jobs
from soundstream_common.db import create_db_engine
from soundstream_testing import wait_until

REDIS_URL = os.environ.get("RECOMMENDER_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
RESULT_TIMEOUT = 240
RECEIVED = re.compile(r"Task (recommender\.[a-z_.]+)\[([0-9a-f-]{32,36})\] received")


def snapshot_lines(seed: int = 0, users: int = 60, artists: int = 40) -> list[bytes]:
    """Listens and friendships in taste groups, as the listening export streams them."""
    rng = np.random.default_rng(seed)
    listens, friends = [], set()
    for user in range(1, users + 1):
        group = user % 3
        liked = rng.choice(np.arange(group * 13 + 1, group * 13 + 14), size=8, replace=False)
        listens += [[user, int(a), int(rng.integers(1, 400))] for a in sorted(liked)]
        mate = int(rng.integers(1, users + 1))
        if mate != user:
            friends |= {(user, mate), (mate, user)}
    lines: list[object] = [
        {"type": "snapshot", "format": 1, "dataset_version": 1, "etag": '"e-1"'},
        {"type": "section", "name": "listens", "columns": ["user_id", "artist_id", "weight"]},
        *listens,
        {"type": "section", "name": "friendships", "columns": ["user_id", "friend_id"]},
        *[list(pair) for pair in sorted(friends)],
        {"type": "end", "listens": len(listens), "friendships": len(friends)},
    ]
    return [(json.dumps(line) + "\n").encode() for line in lines]


def snapshot_app() -> FastAPI:
    app = FastAPI()
    lines = snapshot_lines()

    @app.get("/export/version")
    def version() -> dict[str, object]:
        return {"version": 1, "etag": '"e-1"'}

    @app.get("/export/snapshot")
    def export() -> StreamingResponse:
        headers = {"ETag": '"e-1"', "X-Dataset-Version": "1"}
        return StreamingResponse(iter(lines), media_type="application/x-ndjson", headers=headers)

    @app.get("/stats/artists/top")
    def top() -> dict[str, object]:
        return {"items": [], "total": 0, "limit": 10, "next_cursor": None}

    return app


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()

    def started() -> bool:
        assert thread.is_alive(), "snapshot server died"
        return server.started

    wait_until(started, timeout=20, what="the snapshot server to start", poll=0.02)
    try:
        yield f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def worker(name: str, queue: str, env: dict[str, str], log: Path) -> Iterator[None]:
    """One real ``celery worker`` process with one execution slot."""
    command = [sys.executable, "-m", "celery", "-A", "recommender.training.celery_app", "worker"]
    command += ["-Q", queue, "--concurrency=1", f"--hostname={name}@%h", "--loglevel=INFO"]
    command += ["--without-gossip", "--without-mingle"]
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def received(log: Path) -> list[tuple[str, str]]:
    return RECEIVED.findall(log.read_text(errors="replace"))


@pytest.mark.timeout(600)
def test_two_workers_share_the_training_queue_and_run_no_task_twice(tmp_path: Path) -> None:
    queue = f"reco-scale-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "RECOMMENDER_DATA_DIR": str(tmp_path),  # the shared volume of the deployment
        "RECOMMENDER_DATABASE_URL": f"sqlite:///{tmp_path / 'recommender.db'}",
        "RECOMMENDER_REDIS_URL": REDIS_URL,
        "RECOMMENDER_CELERY_BROKER_URL": REDIS_URL,
        "RECOMMENDER_CELERY_QUEUE": queue,
        "RECOMMENDER_KEY_PREFIX": queue,
        "RECOMMENDER_CATALOG_URL": "",
    }
    logs = [tmp_path / "worker-a.log", tmp_path / "worker-b.log"]
    client = redis.Redis.from_url(REDIS_URL)
    with ExitStack() as stack:
        env["RECOMMENDER_LISTENING_URL"] = stack.enter_context(serve(snapshot_app()))
        settings = Settings.model_validate(
            {k.removeprefix("RECOMMENDER_").lower(): v for k, v in env.items() if "_" in k}
        )
        engine = create_db_engine(settings.database_url)
        MIGRATIONS.upgrade(engine)
        engine.dispose()
        jobs = create_jobs(settings)
        celery = jobs.celery
        for name, log in zip(("a", "b"), logs, strict=True):
            stack.enter_context(worker(f"{queue}-{name}", queue, env, log))
        wait_until(
            lambda: len(celery.control.ping(timeout=1.0)) >= 2,
            timeout=90,
            what=lambda: f"both workers to answer: {[log.read_text()[-1500:] for log in logs]}",
        )

        runs = []
        for _ in range(2):  # one run of the graph at a time
            run_id = jobs.training.start(force=True, trigger="test")
            summary = celery.AsyncResult(run_id).get(timeout=RESULT_TIMEOUT)
            runs.append(summary["outputs"]["publish"])

        store = ModelStore(client, queue)
        assert [r["status"] for r in runs] == ["published", "published"]
        assert store.current_version() == runs[-1]["version"]
        celery.close()
        jobs.history().engine.dispose()
    per_worker = [received(log) for log in logs]
    # (name, id): Celery's ``replace`` hands the run's id on to its final step (finish).
    counts = Counter(task for tasks in per_worker for task in tasks)
    assert counts, "the workers logged no task"
    assert max(counts.values()) == 1, "a task was received more than once"
    assert all(per_worker), f"one worker did nothing: {[len(t) for t in per_worker]}"
    names = Counter(name for tasks in per_worker for name, _ in tasks)
    assert names["recommender.training.run"] == 2
    assert names["recommender.training.publish"] == 2, "each run is published exactly once"
    assert names["recommender.training.train_als"] == 2
    for key in client.scan_iter(f"{queue}*"):
        client.delete(key)
    client.close()
