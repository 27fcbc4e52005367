"""The training graph end to end: a real Celery worker process, the local Redis (DB 14), a
SQLite database and a snapshot served over HTTP in the listening service's export format."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from recommender.models import AlgorithmMetrics
from soundstream_common.db import create_db_engine
from soundstream_taskgraph import Reason, RunBusyError, RunState, TaskState

from .conftest import RESULT_TIMEOUT, Pipeline, published


def test_pipeline_publishes_a_blended_model(pipeline: Pipeline) -> None:
    run = pipeline.retrain(force=True)
    result = published(run.get(timeout=RESULT_TIMEOUT))

    assert result["status"] == "published"
    version = result["version"]
    assert version == run.id
    assert pipeline.store.current_version() == version
    recs = pipeline.store.hget_json(version, "recs", 1)
    unlistened = [entry for entry in recs["items"] if not entry[2]]
    # 60 artists, user 1 listened to ~12: every other artist the models can score is ranked.
    assert len(unlistened) >= 30
    assert unlistened[0][3], "the first recommendations carry reasons"
    assert pipeline.store.hget_json(version, "similar_artists", 1)
    assert pipeline.store.hget_json(version, "similar_users", 1)
    assert pipeline.jobs.history().active_run("recommender.training") is None
    [row] = [v for v in pipeline.versions() if v.version == version]
    assert row.current
    assert row.dataset_version == 1
    assert set(row.summary["algorithms"]) == {
        "popularity",
        "item_knn",
        "als",
        "ease",
        "social",
        "tags",
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


def test_an_unchanged_data_set_keeps_every_step_unless_forced(pipeline: Pipeline) -> None:
    first = published(pipeline.retrain(force=True).get(timeout=RESULT_TIMEOUT))

    again = pipeline.retrain(force=False)
    result = published(again.get(timeout=RESULT_TIMEOUT))

    assert result["status"] == "unchanged"
    assert result["version"] == first["version"]
    assert pipeline.store.current_version() == first["version"]
    run = pipeline.run(again.id)
    tasks = {task.task: task for task in run.tasks}
    assert tasks["snapshot"].reason == Reason.TTL_NOT_ELAPSED
    # The fake server answers the catalog's export path too (with the listening export's ETag).
    assert tasks["snapshot"].inputs_version == 'listening "e-1", catalog "e-1"'
    kept = [name for name, task in tasks.items() if task.state == TaskState.KEPT]
    assert kept == [name for name in tasks if name != "publish"]
    assert {tasks[name].reason for name in kept} - {Reason.TTL_NOT_ELAPSED} == {Reason.UNCHANGED}
    assert (tasks["publish"].state, tasks["publish"].reason) == (TaskState.SUCCEEDED, Reason.ALWAYS)


def test_a_new_data_set_version_replaces_the_model_and_removes_old_keys(
    pipeline: Pipeline,
) -> None:
    old = published(pipeline.retrain(force=True).get(timeout=RESULT_TIMEOUT))
    pipeline.server.version += 1

    run = pipeline.retrain(force=False)
    new = published(run.get(timeout=RESULT_TIMEOUT))

    assert new["status"] == "published"
    assert new["previous"] == old["version"]
    assert pipeline.store.current_version() == new["version"]
    assert pipeline.store.versions_present() == {new["version"]}
    assert pipeline.store.hget_json(old["version"], "recs", 1) is None
    snapshot = pipeline.run(run.id).tasks[0]
    assert snapshot.reason == Reason.INPUTS_CHANGED
    version = pipeline.server.version
    assert f'listening "e-{version - 1}", ' in (snapshot.reason_text or "")
    assert f'-> listening "e-{version}", ' in (snapshot.reason_text or "")


def test_only_one_run_at_a_time(pipeline: Pipeline) -> None:
    first = pipeline.retrain(force=True)

    with pytest.raises(RunBusyError) as busy:
        pipeline.retrain(force=True)

    assert busy.value.running == first.id
    assert published(first.get(timeout=RESULT_TIMEOUT))["status"] == "published"


def test_failed_snapshot_keeps_the_previous_model_serving(pipeline: Pipeline) -> None:
    serving = published(pipeline.retrain(force=True).get(timeout=RESULT_TIMEOUT))
    pipeline.server.truncate = True
    try:
        run = pipeline.retrain(force=True)
        with pytest.raises(Exception, match="truncated"):
            run.get(timeout=RESULT_TIMEOUT)
    finally:
        pipeline.server.truncate = False

    assert pipeline.store.current_version() == serving["version"]
    failed = pipeline.run(run.id)
    assert failed.state == RunState.FAILED
    assert failed.tasks[0].state == TaskState.FAILED
    assert "truncated" in (failed.tasks[0].error or "")
    assert failed.tasks[0].attempts == 1, "a malformed snapshot is not retried"
    assert {task.state for task in failed.tasks[1:]} == {TaskState.CANCELLED}
    assert pipeline.jobs.history().active_run("recommender.training") is None


def test_a_step_whose_file_is_gone_runs_again_and_only_it(pipeline: Pipeline) -> None:
    published(pipeline.retrain(force=True).get(timeout=RESULT_TIMEOUT))
    shutil.rmtree(pipeline.settings.artifacts_dir / "results" / "matrices")

    run = pipeline.retrain(force=False)
    result = published(run.get(timeout=RESULT_TIMEOUT))

    tasks = {task.task: task for task in pipeline.run(run.id).tasks}
    assert (tasks["matrices"].state, tasks["matrices"].reason) == (
        TaskState.SUCCEEDED,
        Reason.RESULT_MISSING,
    )
    # The same facts make the same result: what reads the matrices keeps its result.
    assert {tasks[name].state for name in tasks if name.startswith("train_")} == {TaskState.KEPT}
    assert tasks["evaluate"].state == TaskState.KEPT
    assert result["status"] == "unchanged"
