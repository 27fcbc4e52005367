"""The recommender API against a real worker: retrain, inspect, serve, feedback, cold start,
and answering while Redis has lost the published keys."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

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
    run_id: str = accepted.json()["run_id"]
    pipeline.celery.AsyncResult(run_id).get(timeout=RESULT_TIMEOUT)
    return run_id


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
    accepted = client.post("/models/retrain", params={"force": "true"})
    assert accepted.status_code == 202
    busy = client.post("/models/retrain")
    assert busy.status_code == 409
    assert busy.json()["type"].endswith("/run-active")
    run_id = accepted.json()["run_id"]
    assert accepted.json()["status_url"] == f"/jobs/runs/{run_id}"
    assert accepted.headers["location"] == f"/jobs/runs/{run_id}"
    assert client.get("/jobs/runs/no-such-run").status_code == 404

    pipeline.celery.AsyncResult(run_id).get(timeout=RESULT_TIMEOUT)
    run = client.get(f"/jobs/runs/{run_id}").json()

    assert (run["state"], run["trigger"], run["force"]) == ("succeeded", "api", True)
    assert [task["task"] for task in run["tasks"]] == [
        step["id"] for step in client.get("/pipeline").json()["steps"]
    ]
    assert all(task["state"] == "succeeded" for task in run["tasks"])
    assert all(task["reason"] == "forced" for task in run["tasks"])
    publish = run["tasks"][-1]["output"]
    assert publish["status"] == "published"
    current = client.get("/models/current").json()
    assert current["version"] == publish["version"] == run_id
    assert current["dataset_version"] == 1
    assert {m["algorithm"] for m in current["metrics"]} >= {"als", "ease", "blend"}
    rows = {m["algorithm"]: m for m in current["metrics"]}
    quality = current["quality"]
    assert quality["ndcg_at_10"] == rows["blend"]["ndcg_at_10"]
    assert quality["lift_over_als"] == pytest.approx(
        rows["blend"]["ndcg_at_10"] / rows["als"]["ndcg_at_10"] - 1
    )
    assert quality["coverage"] == rows["blend"]["coverage"]
    assert 0 < quality["popular_share_at_10"] <= 1
    assert rows["popularity"]["popular_share_at_10"] == 1.0, "popularity lists only them"
    assert client.get("/models").json()[0]["version"] == current["version"]
    trained_at = datetime.fromisoformat(current["trained_at"])
    assert trained_at.utcoffset() == timedelta(0), "a time without its zone is ambiguous"


def test_retrain_by_default_keeps_what_the_same_data_and_code_made(
    client: TestClient, pipeline: Pipeline
) -> None:
    current = client.get("/models/current").json()["version"]

    run_id = retrain(client, pipeline)

    run = client.get(f"/jobs/runs/{run_id}").json()
    assert (run["state"], run["force"]) == ("succeeded", False)
    states = {task["task"]: task["state"] for task in run["tasks"]}
    assert states["evaluate"] == states["train_als"] == "kept"
    assert run["tasks"][-1]["output"]["status"] == "unchanged"
    assert client.get("/models/current").json()["version"] == current


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
    unknown = client.get("/recommendations/users/99999", params={"k": 3})

    assert len(artists["items"]) == 5
    assert 1 not in {item["id"] for item in artists["items"]}
    assert len(users["items"]) == 5
    assert seeds["source"] == "seeds"
    assert len(seeds["items"]) == 5
    assert not {item["artist_id"] for item in seeds["items"]} & {1, 2}
    # the synthetic groups: artists 1-20 belong together, so their neighbours mostly do too
    assert sum(item["artist_id"] <= 20 for item in seeds["items"]) >= 3
    assert unknown.status_code == 404
    assert unknown.json()["type"].endswith("/user-not-found")
    assert client.get("/artists/99999/similar").status_code == 404


def test_pipeline_endpoint_describes_the_dag(client: TestClient) -> None:
    body = client.get("/pipeline").json()

    ids = [step["id"] for step in body["steps"]]
    assert ids[:2] == ["snapshot", "matrices"]
    assert ids[-2:] == ["evaluate", "publish"]
    assert "train_als" in ids
    assert "train_tags" in ids, "the tag model trains on the catalog's tag assignments"
    assert ["snapshot", "matrices"] in body["edges"]
    assert body["graph"] == "recommender.training"
    assert body["mermaid"].startswith("flowchart LR")
    trains = [step for step in body["steps"] if step["id"].startswith("train_")]
    assert all(step["parallel"] and step["depends_on"] == ["matrices"] for step in trains)


def test_without_redis_the_stored_model_answers_and_ready_is_degraded(
    client: TestClient, pipeline: Pipeline
) -> None:
    if client.get("/models/current").status_code == 404:
        retrain(client, pipeline)
    before = client.get("/recommendations/users/4", params={"explain": True}).json()
    down = pipeline.settings.model_copy(
        update={"redis_url": "redis://127.0.0.1:1/0", "celery_broker_url": "redis://127.0.0.1:1/1"}
    )

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
