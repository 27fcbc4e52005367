"""The analytics API: extractors, runs (real, re-exported, dry), query templates and quality
reports, over a hand-made snapshot of the exports."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

import analytics.operations
from analytics.config import Settings
from analytics.db import MIGRATIONS
from analytics.main import create_app
from analytics.sources import Snapshot
from soundstream_common.db import create_db_engine

from .conftest import D, make_snapshot


@pytest.fixture
def api(
    tmp_path: Path, warehouse_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    """The app over an empty warehouse; the services' exports are the hand-made snapshot."""
    for name in list(os.environ):
        if name.startswith("ANALYTICS_"):
            monkeypatch.delenv(name)
    url = f"sqlite:///{tmp_path / 'analytics.db'}"
    engine = create_db_engine(url)
    MIGRATIONS.upgrade(engine)
    engine.dispose()
    settings = Settings(
        database_url=url,
        redis_url="",
        log_json=False,
        warehouse_url=warehouse_url,
        first_date=D("2009-12-31"),
        data_dir=tmp_path,
    )
    snapshot = make_snapshot()

    def fetch(_settings: Settings) -> Snapshot:
        return snapshot

    monkeypatch.setattr(analytics.operations, "fetch", fetch)
    with TestClient(create_app(settings)) as client:
        yield client


def backfill(api: TestClient) -> dict[str, Any]:
    response = api.post("/analytics/runs", json={})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_extractors_are_listed_with_their_tables(api: TestClient) -> None:
    before = api.get("/analytics/extractors").json()
    names = [e["name"] for e in before["items"]]
    assert names == [
        "tag_activity_daily",
        "tag_usage_daily",
        "platform_state_daily",
        "tag_assignment_events",
        "domain_events",
    ]  # the personal one only where a setting allows it
    assert all(e["last_exported_day"] is None for e in before["items"])
    backfill(api)
    after = {e["name"]: e for e in api.get("/analytics/extractors").json()["items"]}
    daily = after["tag_activity_daily"]
    assert daily["last_exported_day"] == "2010-01-07"
    assert daily["delta_view"] == "tag_activity_daily_delta"
    assert {
        "name": "total_assignments",
        "type": "int64",
        "nullable": False,
        "differentiated": True,
    } in daily["columns"]


def test_a_run_is_recorded_and_a_second_one_finds_nothing_new(api: TestClient) -> None:
    first = backfill(api)
    assert first["id"] == 1
    daily = next(t for t in first["tables"] if t["table"] == "tag_activity_daily")
    assert (daily["first_day"], daily["last_day"], daily["rows"]) == ("2009-12-31", "2010-01-07", 8)
    second = backfill(api)
    assert second["rows"] == 0
    assert [r["id"] for r in api.get("/analytics/runs").json()["items"]] == [2, 1]


def test_a_dry_run_answers_rows_and_records_nothing(api: TestClient) -> None:
    response = api.post(
        "/analytics/runs", json={"dry_run": True, "extractors": ["tag_activity_daily"]}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["id"] is None
    (table,) = body["tables"]
    assert table["rows"] == 8
    assert table["preview"][1]["assignments"] == 2
    assert api.get("/analytics/runs").json()["items"] == []


def test_unknown_extractor_and_bad_range_are_problems(api: TestClient) -> None:
    response = api.post("/analytics/runs", json={"extractors": ["nope"]})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert (
        api.post("/analytics/runs", json={"from": "2010-01-05", "to": "2010-01-01"}).status_code
        == 422
    )
    # a day is YYYY-MM-DD, never a number read as a Unix time; a flag is true or false
    for body in ({"from": 0}, {"to": "1262304000"}, {"dry_run": 0}):
        assert api.post("/analytics/runs", json=body).status_code == 422, body
    assert api.get("/analytics/runs").json()["items"] == []


def test_query_templates_list_their_parameters(api: TestClient) -> None:
    items = {q["name"]: q for q in api.get("/analytics/queries").json()["items"]}
    assert {"daily_activity", "growth", "top_tags", "tag_trend", "tagger_cohorts"} <= set(items)
    params = {p["name"]: p for p in items["tag_trend"]["params"]}
    assert params["tag"]["required"] is True
    assert params["from"]["type"] == "date"


def test_query_templates_run_with_date_ranges(api: TestClient) -> None:
    backfill(api)
    top = api.get("/analytics/queries/top_tags", params={"from": "2010-01-03", "to": "2010-01-06"})
    assert top.status_code == 200, top.text
    assert top.json()["rows"][0] == {
        "tag": "rock",
        "assignments": 3,
        "days": 2,
        "last_used": "2010-01-06",
    }
    trend = api.get("/analytics/queries/tag_trend", params={"tag": "ROCK"}).json()
    assert trend["rows"] == [{"month": "2010-01-01", "assignments": 3, "days": 2}]
    activity = api.get(
        "/analytics/queries/daily_activity", params={"from": "2010-01-01", "to": "2010-01-01"}
    )
    assert [r["assignments"] for r in activity.json()["rows"]] == [2]


def test_a_template_refuses_parameters_it_does_not_take(api: TestClient) -> None:
    response = api.get("/analytics/queries/growth", params={"tag": "rock"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert api.get("/analytics/queries/tag_trend").status_code == 422  # tag is required
    assert api.get("/analytics/queries/top_tags", params={"nope": 1}).status_code == 422
    assert api.get("/analytics/queries/nope").status_code == 404


def test_quality_reports_keep_a_history(api: TestClient, tmp_path: Path) -> None:
    assert api.get("/analytics/quality/latest").status_code == 404
    created = api.post("/analytics/quality")
    assert created.status_code == 201, created.text
    report = created.json()["report"]
    assert report["orphans"]["assignments_naming_placeholder_artists"] == 1
    assert report["dates"]["impossible_source_dates"] == 1
    variants = report["tag_variants"]
    assert variants[0]["canonical"] in ("Hip-Hop", "hip hop")
    assert {v["value"] for v in variants[0]["variants"]} == {"Hip-Hop", "hip hop"}
    assert [t["value"] for t in report["non_genre_tags"]] == ["seen live"]
    api.post("/analytics/quality")
    history = api.get("/analytics/quality").json()["items"]
    assert [h["id"] for h in history] == [2, 1]
    page = api.get("/analytics/quality/2/html")
    assert page.status_code == 200
    assert "Tag variants" in page.text
    assert "Earlier runs" in page.text
    assert sorted(p.suffix for p in (tmp_path / "quality").iterdir()) == [
        ".html",
        ".html",
        ".json",
        ".json",
    ]
