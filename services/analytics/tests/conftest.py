"""Fixtures for the analytics tests: a hand-made snapshot of both services' exports whose
every statistic can be worked out by hand, and warehouses on DuckDB and PostgreSQL."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pyarrow as pa
import pytest

from analytics.sources import EVENT_LOG, SCHEMAS, Snapshot
from soundstream_testing.stores import create_pg_database

D = datetime.date.fromisoformat
WAREHOUSES = ("duckdb", "postgresql")


def midnight_ms(day: datetime.date) -> int:
    return (day - datetime.date(1970, 1, 1)).days * 86_400_000


ARTISTS = [(1, "Beyoncé", False), (2, "Björk", False), (3, "The Cure", False), (9, "[9]", True)]
TAGS = [(1, "rock"), (2, "Hip-Hop"), (3, "hip hop"), (4, "seen live"), (5, "unused")]
# (user, artist, tag, day); None = an impossible source date (kept, never dated).
ASSIGNMENTS = [
    (1, 1, 2, D("2010-01-01")),
    (2, 1, 3, D("2010-01-01")),
    (1, 3, 1, D("2010-01-03")),
    (3, 3, 1, D("2010-01-03")),
    (3, 2, 4, D("2010-01-04")),
    (2, 9, 1, D("2010-01-06")),
    (4, 3, 1, None),
]
LISTENS = [(1, 1, 100), (1, 2, 50), (2, 3, 7), (5, 1, 3)]
FRIENDSHIPS = [(1, 2), (2, 1), (2, 6), (6, 2)]
UTC = datetime.UTC
# The domain events recorded: (id, type, occurred_at, artist_id, user_id, artists).
EVENTS = [
    ("e1", "artist.created", datetime.datetime(2010, 1, 2, 10, 0, tzinfo=UTC), 3, None, None),
    ("e2", "listens.changed", datetime.datetime(2010, 1, 2, 11, 0, tzinfo=UTC), None, 1, 2),
    ("e3", "user.deleted", datetime.datetime(2010, 1, 5, 23, 59, tzinfo=UTC), None, 5, None),
    ("e4", "listens.changed", datetime.datetime(2010, 1, 5, 23, 59, tzinfo=UTC), None, None, 1),
    ("e5", "artist.deleted", datetime.datetime(2010, 1, 8, 8, 0, tzinfo=UTC), 3, None, None),
]
"""The last one occurred on the day the snapshot was taken: no run exports it yet."""
TAKEN = datetime.datetime(2010, 1, 8, 9, 30, tzinfo=datetime.UTC)
"""The snapshot describes 2010-01-07 (the day before it was taken)."""


def make_snapshot(
    assignments: list[tuple[int, int, int, datetime.date | None]] = ASSIGNMENTS,
    taken: datetime.datetime = TAKEN,
) -> Snapshot:
    rows: dict[str, Sequence[tuple[object, ...]]] = {
        "artists": ARTISTS,
        "tags": TAGS,
        "tag_assignments": [
            (u, a, t, midnight_ms(d) if d else 0, d is not None) for u, a, t, d in assignments
        ],
        "listens": LISTENS,
        "friendships": FRIENDSHIPS,
    }
    tables = {}
    for name, schema in SCHEMAS.items():
        columns = list(zip(*rows[name], strict=True))
        tables[name] = pa.table(
            [pa.array(c, type=f.type) for c, f in zip(columns, schema, strict=True)],
            schema=schema,
        )
    event_columns = zip(*EVENTS, strict=True)
    events = pa.table(
        [pa.array(c, type=f.type) for c, f in zip(event_columns, EVENT_LOG, strict=True)],
        schema=EVENT_LOG,
    )
    return Snapshot(tables=tables, taken=taken, events=events)


@pytest.fixture
def snapshot() -> Snapshot:
    return make_snapshot()


@pytest.fixture
def warehouse_factory(
    tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Callable[[str], str]]:
    """Make an empty warehouse on an engine (``duckdb`` or ``postgresql``): its URL."""
    cleanups: list[Callable[[], None]] = []

    def make(engine: str) -> str:
        if engine == "duckdb":
            return f"duckdb:///{tmp_path / f'warehouse-{len(cleanups)}.duckdb'}"
        server = request.getfixturevalue("postgres_server_url")
        url, drop = create_pg_database(server, "sstest_warehouse")
        cleanups.append(drop)
        return url

    yield make
    for cleanup in cleanups:
        cleanup()


@pytest.fixture(params=WAREHOUSES)
def warehouse_url(request: pytest.FixtureRequest, warehouse_factory: Callable[[str], str]) -> str:
    return warehouse_factory(str(request.param))
