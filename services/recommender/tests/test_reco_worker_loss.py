"""A worker killed (SIGKILL, with its pool) in the middle of a training run: the previous
model keeps serving, nothing of the dead run is published, its lock expires, the run is
reported failed, and the next retrain on a new worker succeeds."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from recommender.main import create_app

from .conftest import (
    RESULT_TIMEOUT,
    SnapshotServer,
    celery_worker,
    running_pipeline,
    synthetic_snapshot,
)

LOCK_TTL = 4
DEADLINE = 60.0


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def test_a_worker_killed_mid_training_leaves_the_previous_model_serving(tmp_path: Path) -> None:
    server = SnapshotServer(synthetic_snapshot(users_per_group=100))
    with running_pipeline(tmp_path, server, lock_ttl_seconds=str(LOCK_TTL)) as pipeline:
        serving = pipeline.retrain(force=True).get(timeout=RESULT_TIMEOUT)
        with TestClient(create_app(pipeline.settings)) as client:
            before = client.get("/recommendations/users/1", params={"explain": True}).json()
            server.version += 1
            run = client.post("/models/retrain").json()["task_id"]

            def training() -> bool:
                steps = pipeline.store.steps(run)
                return any(
                    name.startswith(("train:", "evaluate")) and state == "running"
                    for name, state in steps.items()
                )

            wait_until(training, "the run to start training")
            os.killpg(pipeline.worker.pid, signal.SIGKILL)
            pipeline.worker.wait()

            during = client.get("/recommendations/users/1", params={"explain": True}).json()
            assert during == before
            assert client.post("/models/retrain").status_code == 409, "the lock is still held"
            wait_until(lambda: pipeline.store.lock_owner() is None, "the lock to expire")
            task = client.get(f"/tasks/{run}").json()
            assert "running" not in task["steps"].values()
            assert any(state.startswith("failed") for state in task["steps"].values())
            assert task["steps"]["publish"].startswith("failed")
            assert pipeline.store.current_version() == serving["version"]
            assert pipeline.store.versions_present() == {serving["version"]}
            assert [v.version for v in pipeline.versions()] == [serving["version"]]
            assert client.get("/recommendations/users/1", params={"explain": True}).json() == before

            with celery_worker(pipeline.env, pipeline.celery, pipeline.queue, pipeline.log):
                accepted = client.post("/models/retrain")
                assert accepted.status_code == 202
                task_id = accepted.json()["task_id"]
                result = pipeline.celery.AsyncResult(task_id).get(timeout=RESULT_TIMEOUT)

            assert result["status"] == "published"
            assert result["previous"] == serving["version"]
            assert pipeline.store.current_version() == task_id
            after = client.get("/recommendations/users/1").json()
            assert after["model_version"] == task_id
            assert len(after["items"]) == 10
            assert pipeline.store.lock_owner() is None
