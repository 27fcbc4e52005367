"""Fixtures for the catalog tests: a small hand-made data set on SQLite and PostgreSQL,
the real app over it (with a real Redis), and a snapshot of every table."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from loguru import logger
from sqlalchemy import Engine, insert, select, text

import catalog.config
from catalog.config import Settings
from catalog.db import MIGRATIONS, create_catalog_engine
from catalog.main import create_app
from catalog.models import Artist, ArtistPopularity, Base, Tag, TagAssignment, UserRef
from catalog.names import search_name
from catalog.services.queries import midnight_ms
from catalog.services.tag_index import TagArtistCounts, TagIndex
from catalog.state import CatalogState
from soundstream_common.app import service_state
from soundstream_testing import wait_until
from soundstream_testing.stores import BACKENDS, create_pg_database

Snapshot = dict[str, list[tuple[Any, ...]]]


@dataclass(frozen=True)
class Dataset:
    """A tiny catalog whose every answer can be worked out by hand.

    ``assignments`` rows are (user, artist, tag value, day); ``None`` as the day is an
    impossible source date (stored with timestamp 0, year 1956, ``date_valid`` false).
    """

    users: tuple[int, ...]
    artists: dict[int, str]
    placeholders: frozenset[int]
    tags: dict[int, str]
    popularity: dict[int, tuple[int, int]]
    assignments: list[tuple[int, int, str, date | None]] = field(default_factory=list)

    def tag_id(self, value: str) -> int:
        return next(i for i, v in self.tags.items() if v == value)

    def artists_of(self, value: str) -> set[int]:
        return {a for _, a, t, _ in self.assignments if t == value}

    def count(self, artist_id: int, value: str) -> int:
        return sum(1 for _, a, t, _ in self.assignments if a == artist_id and t == value)

    def listeners(self, artist_id: int) -> int:
        return self.popularity.get(artist_id, (0, 0))[0]

    def plays(self, artist_id: int) -> int:
        return self.popularity.get(artist_id, (0, 0))[1]


D = date.fromisoformat
DATASET = Dataset(
    users=(1, 2, 3, 4, 5, 6),
    artists={
        1: "Beyoncé",
        2: "Björk",
        3: "Depeche Mode",
        4: "Motörhead",
        5: "The Cure",
        6: "[unknown artist 6]",
        7: "Sigur Rós",
    },
    placeholders=frozenset({6}),
    tags={1: "rock", 2: "pop", 3: "80s", 4: "electronic", 5: "metal", 6: "unused", 7: "die Ärzte"},
    popularity={1: (50, 5000), 2: (40, 8000), 3: (30, 3000), 4: (20, 1000)},
    assignments=[
        (1, 3, "rock", D("2008-01-05")),
        (2, 3, "rock", D("2008-02-10")),
        (1, 4, "rock", D("2009-03-01")),
        (3, 5, "rock", D("2010-06-15")),
        (2, 5, "rock", D("2010-06-16")),
        (1, 1, "pop", D("2008-01-05")),
        (2, 1, "pop", D("2008-01-20")),
        (3, 1, "pop", D("2009-05-05")),
        (1, 2, "pop", D("2009-07-07")),
        (4, 3, "pop", D("2010-01-01")),
        (5, 6, "pop", D("2010-02-02")),
        (1, 3, "80s", D("2008-01-05")),
        (4, 5, "80s", D("2009-12-31")),
        (2, 2, "electronic", D("2008-03-03")),
        (5, 3, "electronic", D("2011-01-01")),
        (1, 4, "metal", D("2009-03-01")),
        (2, 4, "metal", None),
    ],
)


def load_dataset(engine: Engine, data: Dataset = DATASET) -> None:
    """Insert ``data`` through the models' tables (as the importer would)."""
    with engine.begin() as conn:
        conn.execute(insert(UserRef), [{"id": u} for u in data.users])
        conn.execute(
            insert(Artist),
            [
                {
                    "id": i,
                    "name": name,
                    "url": f"http://www.last.fm/music/{i}",
                    "picture_url": None,
                    "search_name": search_name(name),
                    "is_placeholder": i in data.placeholders,
                }
                for i, name in data.artists.items()
            ],
        )
        conn.execute(insert(Tag), [{"id": i, "value": v} for i, v in data.tags.items()])
        conn.execute(
            insert(ArtistPopularity),
            [{"artist_id": a, "listeners": n, "plays": p} for a, (n, p) in data.popularity.items()],
        )
        conn.execute(insert(TagAssignment), [_assignment(data, row) for row in data.assignments])
        if conn.dialect.name == "postgresql":
            # Rows were inserted with explicit ids: move the id sequences past them.
            for table in ("artists", "tags"):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )


def _assignment(data: Dataset, row: tuple[int, int, str, date | None]) -> dict[str, Any]:
    user, artist, value, day = row
    key = {"user_id": user, "artist_id": artist, "tag_id": data.tag_id(value)}
    if day is None:
        return {**key, "timestamp_ms": 0, "day": 1, "month": 1, "year": 1956, "date_valid": False}
    return {
        **key,
        "timestamp_ms": midnight_ms(day),
        "day": day.day,
        "month": day.month,
        "year": day.year,
        "date_valid": True,
    }


def snapshot(engine: Engine) -> Snapshot:
    """Every row of every catalog table, in primary-key order."""
    state: Snapshot = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            order = list(table.primary_key.columns)
            state[table.name] = [tuple(r) for r in conn.execute(select(table).order_by(*order))]
    return state


def migrated_database(url: str) -> str:
    engine = create_catalog_engine(url)
    try:
        MIGRATIONS.upgrade(engine)
    finally:
        engine.dispose()
    return url


def fresh_index(index: TagIndex, seconds: float = 10.0) -> TagArtistCounts:
    """The tag index once its background build has caught up with the database."""
    return wait_until(index.current, timeout=seconds, what="the tag index to be built", poll=0.01)


def app_state(client: TestClient) -> CatalogState:
    """The state of the app under ``client`` (its cache, its outbox, its engine)."""
    assert isinstance(client.app, FastAPI)
    return service_state(client.app, CatalogState)


def settings(database_url: str, redis_url: str = "", **overrides: Any) -> Settings:
    """Catalog settings for tests: this database, this Redis (none by default), text logs."""
    return Settings(database_url=database_url, redis_url=redis_url, log_json=False, **overrides)


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No CATALOG_ variables or ``.env`` from the developer's shell; logging reset after."""
    for name in list(os.environ):
        if name.startswith("CATALOG_"):
            monkeypatch.delenv(name)
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    catalog.config.get_settings.cache_clear()
    yield
    catalog.config.get_settings.cache_clear()
    logger.remove()
    logger.add(sys.stderr)


@dataclass(frozen=True)
class SharedCatalog:
    """One seeded catalog and app shared by a module's read-mostly tests (no Redis)."""

    backend: str
    client: TestClient
    engine: Engine


@pytest.fixture(scope="module", params=BACKENDS)
def shared_catalog(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SharedCatalog]:
    """A seeded catalog per back end for a whole module (tables of cases stay fast).

    Tests using it must leave the data as they found it.
    """
    backend = str(request.param)
    drop: Callable[[], None] | None = None
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('shared') / 'catalog.db'}"
    else:
        url, drop = create_pg_database(
            str(request.getfixturevalue("postgres_server_url")), "sstest_shared"
        )
    migrated_database(url)
    engine = create_catalog_engine(url)
    load_dataset(engine)
    with pytest.MonkeyPatch.context() as env:
        for variable in list(os.environ):
            if variable.startswith("CATALOG_"):
                env.delenv(variable)
        with TestClient(create_app(settings(url))) as client:
            yield SharedCatalog(backend, client, engine)
    engine.dispose()
    if drop is not None:
        drop()


@pytest.fixture
def settings_for() -> Callable[..., Settings]:
    """Build test settings: ``settings_for(database_url, redis_url="", **overrides)``."""
    return settings


@pytest.fixture
def state() -> Callable[[Engine], Snapshot]:
    """Take a :func:`snapshot` of a database."""
    return snapshot


@pytest.fixture
def dataset() -> Dataset:
    return DATASET


@pytest.fixture
def catalog_url(database_factory: Callable[[str], str]) -> str:
    """An empty catalog database at the latest schema."""
    return migrated_database(database_factory("catalog"))


@pytest.fixture
def seeded_url(catalog_url: str) -> str:
    """A catalog database holding :data:`DATASET`."""
    engine = create_catalog_engine(catalog_url)
    try:
        load_dataset(engine)
    finally:
        engine.dispose()
    return catalog_url


@pytest.fixture
def engine(seeded_url: str) -> Iterator[Engine]:
    """Direct access to the seeded database, for arranging and checking state."""
    engine = create_catalog_engine(seeded_url)
    yield engine
    engine.dispose()


@pytest.fixture
def client(seeded_url: str, redis_url: str) -> Iterator[TestClient]:
    """The real catalog app over the seeded database, with a real Redis."""
    with TestClient(create_app(settings(seeded_url, redis_url))) as test_client:
        yield test_client
