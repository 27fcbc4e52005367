"""A model from the first minute: with no model published, the worker's start-up starts a
training run once the listening service has data, and again when that run fails; with a
model published it starts nothing (real worker, real Redis)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from recommender.main import create_app
from recommender.training.first_model import TRIGGER, first_model_once_data, start_first_model
from soundstream_testing import wait_until

from .conftest import RESULT_TIMEOUT, SnapshotServer, running_pipeline, synthetic_snapshot


def runs(client: TestClient) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = client.get("/jobs/runs").json()["items"]
    return items


def test_the_first_model_is_trained_at_start_and_a_failed_first_run_is_retried(
    tmp_path: Path,
) -> None:
    server = SnapshotServer(synthetic_snapshot())
    with (
        running_pipeline(tmp_path, server) as pipeline,
        TestClient(create_app(pipeline.settings)) as client,
    ):
        unreachable = pipeline.settings.model_copy(update={"listening_url": "http://127.0.0.1:1"})
        given_up = threading.Event()
        given_up.set()
        assert first_model_once_data(unreachable, pipeline.jobs, stop=given_up) is None
        assert runs(client) == [], "no data to train on yet: no run"
        before = client.get("/recommendations/users/1", params={"k": 3}).json()
        assert before["source"] == "popularity-no-model", "honest until a model serves"

        server.truncate = True  # the first run's snapshot fails
        started: list[str | None] = []
        thread = threading.Thread(
            target=lambda: started.append(
                first_model_once_data(pipeline.settings, pipeline.jobs, poll_seconds=0.5)
            )
        )
        thread.start()

        def first_run_failed() -> bool:
            if any(run["state"] == "failed" for run in runs(client)):
                return True
            assert thread.is_alive(), "the start-up trigger stopped before its first run failed"
            return False

        wait_until(first_run_failed, timeout=RESULT_TIMEOUT, what="the first run to fail")
        server.truncate = False
        thread.join(timeout=RESULT_TIMEOUT)

        assert not thread.is_alive()
        history = runs(client)
        assert len(history) >= 2
        assert {run["trigger"] for run in history} == {TRIGGER}
        assert started[0] == client.get("/models/current").json()["version"]
        assert client.get("/recommendations/users/1", params={"k": 3}).json()["source"] == "model"
        assert start_first_model(pipeline.jobs) is None, "a model is published"
