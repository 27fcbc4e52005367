"""The recommender API against a real worker: retrain, inspect, serve, feedback, cold start,
and answering while Redis has lost the published keys."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from recommender.main import create_app

from .conftest import RESULT_TIMEOUT, Pipeline


@pytest.fixture
def client(pipeline: Pipeline) -> Iterator[TestClient]:
    with TestClient(create_app(pipeline.settings)) as client:
        yield client


def retrain(client: TestClient, pipeline: Pipeline) -> str:
    """Start a run through the API and wait for its result (the Celery result, not sleeps)."""
    accepted = client.post("/models/retrain")
    assert accepted.status_code == 202, accepted.text
    task_id: str = accepted.json()["task_id"]
    pipeline.celery.AsyncResult(task_id).get(timeout=RESULT_TIMEOUT)
    return task_id


def test_before_any_model_the_listening_popularity_answers(client: TestClient) -> None:
    answer = client.get("/recommendations/users/1", params={"k": 5, "explain": True})

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["source"] == "popularity-no-model"
    assert body["model_version"] is None
    assert len(body["items"]) == 5
    assert body["items"][0]["reasons"][0]["kind"] == "popular"
    assert client.get("/models/current").status_code == 404
    assert client.get("/artists/1/similar").status_code == 404


def test_retrain_runs_once_and_reports_its_steps(client: TestClient, pipeline: Pipeline) -> None:
    accepted = client.post("/models/retrain")
    assert accepted.status_code == 202
    assert client.post("/models/retrain").status_code == 409
    task_id = accepted.json()["task_id"]

    pipeline.celery.AsyncResult(task_id).get(timeout=RESULT_TIMEOUT)
    task = client.get(f"/tasks/{task_id}").json()

    assert task["state"] == "SUCCESS"
    assert task["result"]["status"] == "published"
    assert task["steps"]["snapshot"] == "done"
    assert task["steps"]["publish"] == "done"
    assert all(state == "done" for state in task["steps"].values())
    current = client.get("/models/current").json()
    assert current["version"] == task["result"]["version"]
    assert current["dataset_version"] == 1
    assert {m["algorithm"] for m in current["metrics"]} >= {"als", "ease", "blend"}
    assert client.get("/models").json()[0]["version"] == current["version"]


def test_recommendations_are_explained_and_skip_listened_artists(
    client: TestClient, pipeline: Pipeline
) -> None:
    retrain(client, pipeline)
    listened = set(
        pipeline.server.snapshot.listens.artist_ids[
            pipeline.server.snapshot.listens.user_ids == 1
        ].tolist()
    )

    body = client.get("/recommendations/users/1", params={"k": 10, "explain": True}).json()

    assert body["source"] == "model"
    assert body["model_version"]
    assert body["generated_at"]
    assert len(body["items"]) == 10
    assert not {item["artist_id"] for item in body["items"]} & listened
    assert all(item["reasons"] for item in body["items"])
    assert all(item["reasons"][0]["text"] for item in body["items"])
    scores = [item["score"] for item in body["items"]]
    assert scores == sorted(scores, reverse=True)
    with_listened = client.get(
        "/recommendations/users/1", params={"k": 100, "exclude_listened": False}
    ).json()
    assert {i["artist_id"] for i in with_listened["items"] if i["listened"]} <= listened
    assert any(i["listened"] for i in with_listened["items"])


def test_feedback_hides_an_artist_at_once(client: TestClient, pipeline: Pipeline) -> None:
    if client.get("/models/current").status_code == 404:
        retrain(client, pipeline)
    first = client.get("/recommendations/users/2").json()["items"][0]["artist_id"]

    created = client.post(
        "/recommendations/users/2/feedback", json={"artist_id": first, "kind": "hide"}
    )

    assert created.status_code == 201
    after = client.get("/recommendations/users/2", params={"k": 20}).json()["items"]
    assert first not in {item["artist_id"] for item in after}
    assert len(after) == 20
    bad = client.post("/recommendations/users/2/feedback", json={"artist_id": 1, "kind": "x"})
    assert bad.status_code == 422


def test_similar_cold_start_and_unknown_user(client: TestClient, pipeline: Pipeline) -> None:
    if client.get("/models/current").status_code == 404:
        retrain(client, pipeline)

    artists = client.get("/artists/1/similar", params={"k": 5}).json()
    users = client.get("/users/1/similar", params={"k": 5}).json()
    seeds = client.post("/recommendations", json={"seed_artists": [1, 2], "k": 5}).json()
    unknown = client.get("/recommendations/users/99999", params={"k": 3}).json()

    assert len(artists["items"]) == 5
    assert 1 not in {item["id"] for item in artists["items"]}
    assert len(users["items"]) == 5
    assert seeds["source"] == "seeds"
    assert len(seeds["items"]) == 5
    assert not {item["artist_id"] for item in seeds["items"]} & {1, 2}
    # the synthetic groups: artists 1-20 belong together, so their neighbours mostly do too
    assert sum(item["artist_id"] <= 20 for item in seeds["items"]) >= 3
    assert unknown["source"] == "popularity"
    assert len(unknown["items"]) == 3
    assert client.get("/artists/99999/similar").status_code == 404


def test_pipeline_endpoint_describes_the_dag(client: TestClient) -> None:
    body = client.get("/pipeline").json()

    ids = {step["id"] for step in body["steps"]}
    assert {"snapshot", "matrices", "train:als", "evaluate", "publish"} <= ids
    assert ["snapshot", "matrices"] in body["edges"]
    assert body["mermaid"].startswith("flowchart LR")


def test_without_redis_the_stored_model_answers_and_ready_is_degraded(
    client: TestClient, pipeline: Pipeline
) -> None:
    if client.get("/models/current").status_code == 404:
        retrain(client, pipeline)
    before = client.get("/recommendations/users/4", params={"explain": True}).json()
    down = pipeline.settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"})

    with TestClient(create_app(down)) as without_redis:
        after = without_redis.get("/recommendations/users/4", params={"explain": True})
        ready = without_redis.get("/ready").json()
        retrain_attempt = without_redis.post("/models/retrain")

    assert after.status_code == 200
    assert after.json()["items"] == before["items"]
    assert after.json()["model_version"] == before["model_version"]
    assert ready["status"] == "degraded"
    assert retrain_attempt.status_code == 503


def test_flushed_redis_is_rebuilt_from_the_stored_model(
    client: TestClient, pipeline: Pipeline
) -> None:
    if client.get("/models/current").status_code == 404:
        retrain(client, pipeline)
    before = client.get("/recommendations/users/3").json()
    similar = client.get("/artists/3/similar").json()
    version = before["model_version"]
    pipeline.store.client.flushdb()
    assert pipeline.store.hget_json(version, "recs", 3) is None

    after = client.get("/recommendations/users/3").json()

    assert after["source"] == "model"
    assert after["items"] == before["items"]
    assert pipeline.store.current_version() == version
    assert pipeline.store.hget_json(version, "recs", 3) is not None, "top-N written back"
    assert pipeline.store.hget_json(version, "similar_users", 3) is not None
    assert client.get("/artists/3/similar").json() == similar
