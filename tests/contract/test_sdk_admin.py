"""The SDK's admin methods against the live gateway and services, on the real HetRec data:
retraining and its jobs, API keys, the analytics warehouse.

This module's name sorts first among the contract tests so that retraining runs before any
test writes (see :func:`test_models_retraining_and_its_jobs`).
"""

from __future__ import annotations

import datetime as dt

import pytest

from soundstream import (
    AuthenticationError,
    PermissionDeniedError,
    SoundStream,
    ValidationError,
)
from soundstream_testing.stack import LiveStack

from .real_data import ROCK, unique


@pytest.mark.covers(
    "models.list",
    "models.current",
    "models.pipeline",
    "models.retrain",
    "jobs.graphs",
    "jobs.graph",
    "jobs.export",
    "jobs.runs",
    "jobs.run",
    "jobs.start",
)
def test_models_retraining_and_its_jobs(sdk: SoundStream) -> None:
    """First of the contract tests (its module's name sorts first): before the tests that
    write, the data is unchanged since the stack's first training, so the run keeps every
    step's result and publishes nothing."""
    current = sdk.models.current()
    assert current.current
    assert current.quality is not None
    assert current.quality.ndcg_at_10 > 0
    assert current.quality.lift_over_als is not None
    assert current.quality.popular_share_at_10 is not None
    assert current.version in {m.version for m in sdk.models.list()}
    pipeline = sdk.models.pipeline()
    graph = sdk.jobs.graph(pipeline.graph)
    assert [step.id for step in pipeline.steps] == [task.name for task in graph.tasks]
    assert pipeline.mermaid
    assert [g.name for g in sdk.jobs.graphs()] == [pipeline.graph]
    accepted = sdk.models.retrain()
    assert sdk.jobs.run(accepted.run_id).id == accepted.run_id
    finished = sdk.models.wait(accepted.run_id, timeout=300, poll=1.0)
    assert finished.state == "succeeded", finished.error
    assert finished.task("snapshot").state == "kept"
    assert finished.task("publish").output == {
        "status": "unchanged",
        "version": current.version,
        "dataset_version": current.dataset_version,
        "algorithm": current.algorithm,
    }
    assert sdk.jobs.runs(graph=pipeline.graph, limit=1).items[0].id == accepted.run_id
    svg = sdk.jobs.export(pipeline.graph, format="svg")
    assert b"<svg" in svg
    assert b"snapshot" in svg
    dot = sdk.jobs.export(pipeline.graph, format="dot").decode()
    assert all(f'"{a}" -> "{b}";' in dot for a, b in graph.edges)
    only = sdk.jobs.start(pipeline.graph, tasks=["snapshot"])
    done = sdk.jobs.wait(only.run_id, timeout=300, poll=1.0)
    assert (done.state, done.targets) == ("succeeded", ["snapshot"])
    assert [task.task for task in done.tasks] == ["snapshot"]


@pytest.mark.covers("keys.create", "keys.list", "keys.revoke")
def test_keys_and_scopes(sdk: SoundStream, trained_stack: LiveStack) -> None:
    created = sdk.keys.create(name=unique("contract"), scopes=["read"])
    assert created.key
    assert created.scopes == ["read"]
    listed = {k.id: k for k in sdk.keys.list()}
    assert created.id in listed
    assert "key" not in listed[created.id].model_dump()
    base_url = trained_stack.url("gateway")
    with SoundStream(base_url=base_url, api_key=created.key, max_retries=0) as reader:
        assert reader.stats.overview().users >= 1892
        with pytest.raises(PermissionDeniedError) as denied:
            reader.tags.create(value=unique("nope"))
        assert denied.value.status_code == 403
        sdk.keys.revoke(created.id)
        with pytest.raises(AuthenticationError):
            reader.stats.overview()
    with (
        SoundStream(base_url=base_url, api_key="", max_retries=0) as anonymous,
        pytest.raises(AuthenticationError),
    ):
        anonymous.tags.create(value=unique("nope"))
    revoked = next(k for k in sdk.keys.list() if k.id == created.id)
    assert revoked.revoked_at is not None


@pytest.mark.covers(
    "analytics.extractors",
    "analytics.run",
    "analytics.runs",
    "analytics.queries",
    "analytics.query",
    "analytics.create_quality_report",
    "analytics.quality_history",
    "analytics.latest_quality_report",
    "analytics.quality_report",
    "analytics.quality_report_html",
)
def test_analytics_exports_queries_and_data_quality(sdk: SoundStream) -> None:
    names = [e.name for e in sdk.analytics.extractors()]
    assert "tag_activity_daily" in names
    dry = sdk.analytics.run(dry_run=True, extractors=["tag_activity_daily"])
    assert dry.id is None
    assert dry.tables[0].preview
    sdk.analytics.run()  # the backfill, or the days since the last run
    again = sdk.analytics.run()
    assert again.rows == 0  # nothing new since: incremental
    assert sdk.analytics.runs(limit=1)[0].id == again.id
    assert "top_tags" in {q.name for q in sdk.analytics.queries()}
    top = sdk.analytics.query("top_tags", from_=dt.date(2008, 1, 1), to=dt.date(2008, 12, 31))
    frame = top.to_pandas()
    assert list(frame.columns) == top.columns
    assert len(frame) == 20
    with pytest.raises(ValidationError):
        sdk.analytics.query("growth", tag=ROCK)  # a parameter growth does not take
    report = sdk.analytics.create_quality_report()
    assert report.report["dates"]["impossible_source_dates"] > 0
    assert report.report["orphans"]["assignments_naming_placeholder_artists"] == 1538
    assert sdk.analytics.quality_history(limit=1)[0].id == report.id
    assert sdk.analytics.latest_quality_report().id == report.id
    assert sdk.analytics.quality_report(report.id).summary == report.summary
    assert "Tag variants" in sdk.analytics.quality_report_html(report.id)
