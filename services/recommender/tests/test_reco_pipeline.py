"""The training pipeline end to end: a real Celery worker process, the local Redis (DB 14),
a SQLite database and a snapshot served over HTTP in the listening service's export format."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from recommender.models import AlgorithmMetrics
from soundstream_common.db import create_db_engine

from .conftest import RESULT_TIMEOUT, Pipeline


def test_pipeline_publishes_a_blended_model(pipeline: Pipeline) -> None:
    result = pipeline.retrain(force=True).get(timeout=RESULT_TIMEOUT)

    assert result["status"] == "published"
    version = result["version"]
    assert pipeline.store.current_version() == version
    recs = pipeline.store.hget_json(version, "recs", 1)
    unlistened = [entry for entry in recs["items"] if not entry[2]]
    # 60 artists, user 1 listened to ~12: every other artist the models can score is ranked.
    assert len(unlistened) >= 30
    assert unlistened[0][3], "the first recommendations carry reasons"
    assert pipeline.store.hget_json(version, "similar_artists", 1)
    assert pipeline.store.hget_json(version, "similar_users", 1)
    assert pipeline.store.lock_owner() is None
    [row] = [v for v in pipeline.versions() if v.version == version]
    assert row.current
    assert row.dataset_version == 1
    assert set(row.summary["algorithms"]) == {
        "popularity",
        "item_knn",
        "als",
        "ease",
        "social",
        "blend",
    }
    engine = create_db_engine(pipeline.settings.database_url)
    with Session(engine) as session:
        metrics = list(
            session.scalars(select(AlgorithmMetrics).where(AlgorithmMetrics.version == version))
        )
    engine.dispose()
    assert {m.algorithm for m in metrics} == set(row.summary["algorithms"])
    assert all(0.0 <= m.ndcg <= 1.0 for m in metrics)


def test_unchanged_snapshot_is_skipped_unless_forced(pipeline: Pipeline) -> None:
    first = pipeline.retrain(force=True).get(timeout=RESULT_TIMEOUT)

    again = pipeline.retrain(force=False).get(timeout=RESULT_TIMEOUT)

    assert again == {"status": "skipped", "dataset_version": first["dataset_version"]}
    assert pipeline.store.current_version() == first["version"]


def test_new_snapshot_version_replaces_the_model_and_removes_old_keys(
    pipeline: Pipeline,
) -> None:
    old = pipeline.retrain(force=True).get(timeout=RESULT_TIMEOUT)
    pipeline.server.version += 1

    new = pipeline.retrain(force=False).get(timeout=RESULT_TIMEOUT)

    assert new["status"] == "published"
    assert new["previous"] == old["version"]
    assert pipeline.store.current_version() == new["version"]
    assert pipeline.store.versions_present() == {new["version"]}
    assert pipeline.store.hget_json(old["version"], "recs", 1) is None


def test_only_one_run_at_a_time(pipeline: Pipeline) -> None:
    first, second = pipeline.retrain(force=True), pipeline.retrain(force=True)

    results = [first.get(timeout=RESULT_TIMEOUT), second.get(timeout=RESULT_TIMEOUT)]

    assert sorted(r["status"] for r in results) == ["busy", "published"]


def test_failed_snapshot_keeps_the_previous_model_serving(pipeline: Pipeline) -> None:
    serving = pipeline.retrain(force=True).get(timeout=RESULT_TIMEOUT)
    pipeline.server.truncate = True
    try:
        run = pipeline.retrain(force=True)
        with pytest.raises(Exception, match="truncated"):
            run.get(timeout=RESULT_TIMEOUT)
    finally:
        pipeline.server.truncate = False

    assert pipeline.store.current_version() == serving["version"]
    assert pipeline.store.lock_owner() is None
    assert pipeline.store.steps(run.id)["snapshot"].startswith("failed")
