"""A worker killed (SIGKILL, with its pool) in the middle of a training run, inside its
snapshot step: the previous model keeps serving, nothing of the dead run is published, the
run is recorded failed within 10 seconds, a new retrain is accepted at once, and it succeeds
on a new worker; the dead run's queued step does nothing when that worker takes it."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from fastapi.testclient import TestClient

from recommender.main import create_app
from soundstream_testing import wait_until

from .conftest import (
    RESULT_TIMEOUT,
    SnapshotServer,
    celery_worker,
    published,
    running_pipeline,
    synthetic_snapshot,
)

DEADLINE = 60.0
RECORDED_WITHIN_SECONDS = 10.0


def test_a_worker_killed_mid_training_is_recorded_failed_and_the_next_run_starts(
    tmp_path: Path,
) -> None:
    server = SnapshotServer(synthetic_snapshot(users_per_group=100))
    # the bound this test proves (the default, 30 s, leaves room for a saturated machine)
    with running_pipeline(tmp_path, server, job_lost_after_seconds="8") as pipeline:
        serving = published(pipeline.retrain(force=True).get(timeout=RESULT_TIMEOUT))
        with TestClient(create_app(pipeline.settings)) as client:
            before = client.get("/recommendations/users/1", params={"explain": True}).json()
            server.version += 1
            # The worker is caught inside the run's first step (its snapshot request held
            # open), so the kill lands mid-task, never between two tasks.
            server.hold()
            run = client.post("/models/retrain").json()["run_id"]

            def snapshotting() -> bool:
                tasks = client.get(f"/jobs/runs/{run}").json()["tasks"]
                return server.held.is_set() and any(
                    task["task"] == "snapshot" and task["state"] == "running" for task in tasks
                )

            wait_until(snapshotting, timeout=DEADLINE, what="the run's snapshot step")
            os.killpg(pipeline.worker.pid, signal.SIGKILL)
            killed = time.monotonic()
            pipeline.worker.wait()
            server.release()

            during = client.get("/recommendations/users/1", params={"explain": True}).json()
            assert during == before
            wait_until(
                lambda: client.get(f"/jobs/runs/{run}").json()["state"] == "failed",
                timeout=DEADLINE,
                what="the run to be recorded failed",
                poll=0.01,
            )
            assert time.monotonic() - killed < RECORDED_WITHIN_SECONDS
            accepted = client.post("/models/retrain")
            assert accepted.status_code == 202, "the next run starts at once"
            assert time.monotonic() - killed < RECORDED_WITHIN_SECONDS

            dead = client.get(f"/jobs/runs/{run}").json()
            states = {task["task"]: task["state"] for task in dead["tasks"]}
            lost = [task for task in dead["tasks"] if task["state"] == "failed"]
            assert lost
            assert all(task["error"].startswith("worker lost") for task in lost)
            assert "running" not in states.values()
            assert states["publish"] == "cancelled"
            assert pipeline.store.current_version() == serving["version"]
            assert pipeline.store.versions_present() == {serving["version"]}
            assert [v.version for v in pipeline.versions()] == [serving["version"]]
            assert client.get("/recommendations/users/1", params={"explain": True}).json() == before

            next_run = accepted.json()["run_id"]
            with celery_worker(pipeline.env, pipeline.celery, pipeline.queue, pipeline.log):
                result = published(
                    pipeline.celery.AsyncResult(next_run).get(timeout=RESULT_TIMEOUT)
                )

            assert result["status"] == "published"
            assert result["previous"] == serving["version"]
            assert pipeline.store.current_version() == next_run
            after = client.get("/recommendations/users/1").json()
            assert after["model_version"] == next_run
            assert len(after["items"]) == 10
            assert client.get(f"/jobs/runs/{run}").json()["tasks"] == dead["tasks"], (
                "the dead run's queued steps did nothing when the new worker took them"
            )
