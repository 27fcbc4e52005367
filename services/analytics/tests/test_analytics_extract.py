"""Extractors written once: incremental runs, re-exports, dry runs, delta views, the schema
rule, and the same rows on DuckDB and PostgreSQL."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable
from typing import Any

import pytest

from analytics.exceptions import SchemaChangedError
from analytics.extractors import registered
from analytics.extractors.tagging import TagActivityDaily, TagActivityRow
from analytics.framework import row_schema
from analytics.runner import describe, run_extractors
from analytics.sources import Snapshot
from analytics.warehouse import open_warehouse

from .conftest import D, make_snapshot

FIRST = D("2009-12-31")
EXTRACTORS = registered(personal_rows=False)


def rows(url: str, table: str) -> list[dict[str, Any]]:
    with open_warehouse(url) as warehouse:
        records: list[dict[str, Any]] = warehouse.read(table).to_pyarrow().to_pylist()
    return sorted(records, key=lambda r: tuple(str(v) for v in r.values()))


def extract(url: str, snapshot: Snapshot, **kwargs: Any) -> str:
    with open_warehouse(url) as warehouse:
        result = run_extractors(warehouse, snapshot, EXTRACTORS, first_date=FIRST, **kwargs)
    return describe(result)


def test_daily_activity_has_one_row_per_day_with_running_totals(
    warehouse_url: str, snapshot: Snapshot
) -> None:
    extract(warehouse_url, snapshot)
    activity = {r["day"]: r for r in rows(warehouse_url, "tag_activity_daily")}
    # 2009-12-31 .. 2010-01-07: every day up to the one the snapshot describes.
    assert sorted(activity) == [D("2009-12-31") + datetime.timedelta(days=i) for i in range(8)]
    assert activity[D("2010-01-01")] == {
        "day": D("2010-01-01"),
        "assignments": 2,
        "taggers": 2,
        "new_tags": 2,
        "new_artists": 1,
        "new_taggers": 2,
        "total_assignments": 2,
        "total_taggers": 2,
    }
    third = activity[D("2010-01-03")]
    assert (third["assignments"], third["new_tags"], third["new_taggers"]) == (2, 1, 1)
    assert activity[D("2010-01-02")]["assignments"] == 0
    assert activity[D("2010-01-07")]["total_assignments"] == 6  # the undated one never counts
    assert activity[D("2010-01-07")]["total_taggers"] == 3


def test_tag_usage_counts_distinct_artists_and_taggers_per_tag_and_day(
    warehouse_url: str,
) -> None:
    day = D("2010-01-01")
    snapshot = make_snapshot(
        [(1, 1, 1, day), (1, 2, 1, day), (2, 1, 1, day), (2, 1, 2, day), (3, 3, 1, None)]
    )
    extract(warehouse_url, snapshot)
    midnight = datetime.datetime(2010, 1, 1, tzinfo=datetime.UTC)
    usage = [
        (
            r["timestamp"].astimezone(datetime.UTC),
            r["tag"],
            r["assignments"],
            r["artists"],
            r["taggers"],
        )
        for r in rows(warehouse_url, "tag_usage_daily")
    ]
    assert sorted(usage) == [(midnight, "Hip-Hop", 1, 1, 1), (midnight, "rock", 3, 2, 2)]


def test_delta_view_turns_running_totals_into_daily_differences(
    warehouse_url: str, snapshot: Snapshot
) -> None:
    extract(warehouse_url, snapshot)
    deltas = [r["total_assignments"] for r in rows(warehouse_url, "tag_activity_daily_delta")]
    assert deltas == [0, 2, 0, 2, 1, 0, 1, 0]


def test_platform_state_is_written_for_the_day_the_snapshot_describes(
    warehouse_url: str, snapshot: Snapshot
) -> None:
    extract(warehouse_url, snapshot)
    assert rows(warehouse_url, "platform_state_daily") == [
        {
            "day": D("2010-01-07"),
            "users": 4,  # 1, 2 and 5 listen; 6 only has a friend
            "listens": 4,
            "plays": 160,
            "friendships": 2,
            "artists": 3,
            "placeholder_artists": 1,
            "tags": 5,
            "tag_assignments": 7,
        }
    ]


def test_individual_rows_carry_their_timestamp_and_no_user(
    warehouse_url: str, snapshot: Snapshot
) -> None:
    extract(warehouse_url, snapshot)
    events = rows(warehouse_url, "tag_assignment_events")
    assert len(events) == 6
    assert "user_id" not in events[0]
    first = min(events, key=lambda r: (r["timestamp"], r["tag"]))
    assert first["timestamp"] == datetime.datetime(2010, 1, 1, tzinfo=datetime.UTC)
    assert (first["artist"], first["tag"]) == ("Beyoncé", "Hip-Hop")


def test_incremental_runs_export_only_the_new_days(warehouse_url: str, snapshot: Snapshot) -> None:
    extract(warehouse_url, snapshot)
    assert "tag_activity_daily: up to date" in extract(warehouse_url, snapshot)
    later = make_snapshot(taken=datetime.datetime(2010, 1, 10, tzinfo=datetime.UTC))
    report = extract(warehouse_url, later)
    assert "tag_activity_daily: 2010-01-08 .. 2010-01-09: wrote 2 rows" in report
    days = [r["day"] for r in rows(warehouse_url, "tag_activity_daily")]
    assert days == sorted(set(days))
    assert days[-1] == D("2010-01-09")
    assert [r["day"] for r in rows(warehouse_url, "platform_state_daily")] == [
        D("2010-01-07"),
        D("2010-01-09"),
    ]


def test_reexporting_a_range_replaces_its_days_idempotently(
    warehouse_url: str, snapshot: Snapshot
) -> None:
    extract(warehouse_url, snapshot)
    before = rows(warehouse_url, "tag_activity_daily")
    # A late assignment dated 2010-01-02 arrives: re-export that range, twice.
    late = make_snapshot([*make_snapshot_rows(), (5, 2, 1, D("2010-01-02"))])
    for _ in range(2):
        extract(warehouse_url, late, start=D("2010-01-02"), end=D("2010-01-03"))
    after = {r["day"]: r for r in rows(warehouse_url, "tag_activity_daily")}
    assert len(after) == len(before)
    assert after[D("2010-01-02")]["assignments"] == 1
    assert after[D("2010-01-01")] == before[1]
    # The re-export leaves the platform state (observed on another day) alone.
    assert len(rows(warehouse_url, "platform_state_daily")) == 1


def make_snapshot_rows() -> list[tuple[int, int, int, datetime.date | None]]:
    from .conftest import ASSIGNMENTS

    return list(ASSIGNMENTS)


def test_dry_run_prints_the_rows_and_writes_nothing(warehouse_url: str, snapshot: Snapshot) -> None:
    report = extract(warehouse_url, snapshot, dry_run=True)
    assert "tag_activity_daily: 2009-12-31 .. 2010-01-07: would write 8 rows" in report
    assert "total_assignments" in report  # the rows, as a table
    with open_warehouse(warehouse_url) as warehouse:
        assert warehouse.tables() == []


def test_a_changed_row_type_needs_a_new_table_version(
    warehouse_url: str, snapshot: Snapshot
) -> None:
    extract(warehouse_url, snapshot)

    @dataclasses.dataclass(frozen=True)
    class Wider(TagActivityRow):
        distinct_artists: int = 0

    class Changed(TagActivityDaily):
        row = Wider

    with open_warehouse(warehouse_url) as warehouse, pytest.raises(SchemaChangedError):
        warehouse.migrate([Changed])

    class Versioned(Changed):
        version = 2

    with open_warehouse(warehouse_url) as warehouse:
        assert warehouse.migrate([Versioned]) == ["tag_activity_daily_v2"]
        assert {"tag_activity_daily", "tag_activity_daily_v2"} <= set(warehouse.tables())


def test_optional_fields_are_nullable_others_not() -> None:
    @dataclasses.dataclass(frozen=True)
    class Row:
        day: datetime.date
        count: int
        label: str | None

    schema = row_schema(Row)
    assert not schema["count"].nullable
    assert schema["label"].nullable


@pytest.mark.postgres
def test_duckdb_and_postgresql_give_the_same_rows(
    warehouse_factory: Callable[[str], str], snapshot: Snapshot
) -> None:
    duck, pg = warehouse_factory("duckdb"), warehouse_factory("postgresql")
    for url in (duck, pg):
        extract(url, snapshot)
    for extractor in EXTRACTORS:
        tables = [extractor.table(), *filter(None, [extractor.delta_view()])]
        for table in tables:
            assert rows(duck, table) == rows(pg, table), table
