"""The search's in-memory tag index: the same answers as the database, never stale."""

from __future__ import annotations

import itertools
import time

import pytest
from sqlalchemy import Engine, delete
from sqlalchemy.orm import Session

from catalog.models import ArtistPopularity
from catalog.schemas.search import MatchMode, SearchSort
from catalog.services.search import PopularityBounds, search_artists
from catalog.services.tag_index import TagArtistCounts, TagIndex
from soundstream_common.pagination import PageParams


def fresh(index: TagIndex, seconds: float = 10.0) -> TagArtistCounts:
    """The index once its background build has caught up with the database."""
    deadline = time.monotonic() + seconds
    while (snapshot := index.current()) is None:
        assert time.monotonic() < deadline, "tag index not built"
        time.sleep(0.01)
    return snapshot


@pytest.fixture
def backend() -> str:
    """The index serves SQLite catalogs only (PostgreSQL searches read the database)."""
    return "sqlite"


@pytest.fixture
def sqlite_engine(engine: Engine) -> Engine:
    assert engine.dialect.name == "sqlite"
    return engine


def test_index_answers_exactly_as_the_database(sqlite_engine: Engine) -> None:
    index = TagIndex(sqlite_engine)
    snapshot = fresh(index)
    tag_sets = [["rock"], ["rock", "80s"], ["pop", "metal", "electronic"], ["POP", "nope"]]
    bounds = [PopularityBounds(), PopularityBounds(min_listeners=25), PopularityBounds(max_plays=0)]
    pages = [PageParams(limit=20, offset=0), PageParams(limit=1, offset=1)]
    with Session(sqlite_engine) as session:
        for tags, match, sort, bound, page in itertools.product(
            tag_sets, MatchMode, SearchSort, bounds, pages
        ):
            args = {"tags": tags, "match": match, "bounds": bound, "sort": sort, "page": page}
            from_db = search_artists(session, **args)  # type: ignore[arg-type]
            from_index = search_artists(session, index=snapshot, **args)  # type: ignore[arg-type]
            assert from_index == from_db, args
    index.close()


def test_a_write_retires_the_index_until_it_is_rebuilt(sqlite_engine: Engine) -> None:
    index = TagIndex(sqlite_engine)
    assert fresh(index).popularity[1] == (50, 5000)
    with sqlite_engine.begin() as connection:
        connection.execute(delete(ArtistPopularity).where(ArtistPopularity.artist_id == 1))
    assert index.current() is None  # the very next search reads the database
    assert 1 not in fresh(index).popularity
    index.close()


def test_a_memory_database_never_uses_the_index() -> None:
    from catalog.db import create_catalog_engine

    index = TagIndex(create_catalog_engine("sqlite://"))
    assert index.current() is None
