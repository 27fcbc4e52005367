"""The search's in-memory tag index: the same answers as the database, never stale."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import Engine, delete, insert
from sqlalchemy.orm import Session

from catalog.models import ArtistPopularity, Tag, TagAssignment
from catalog.schemas.search import MatchMode, SearchSort
from catalog.services.bounds import PopularityBounds
from catalog.services.search import search_artists, search_artists_json
from catalog.services.tag_index import TagIndex
from soundstream_common.pagination import PageParams

from .conftest import fresh_index


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
    snapshot = fresh_index(index)
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
            body = from_db.model_dump_json().encode()
            assert search_artists_json(snapshot, **args) == body, args  # type: ignore[arg-type]
            assert search_artists_json(session, **args) == body, args  # type: ignore[arg-type]
    index.close()


def test_tags_differing_only_in_case_count_together(sqlite_engine: Engine) -> None:
    """An imported catalog may hold "rock" and "ROCK": a value matching neither exactly
    counts both, in the index as in the database."""
    undated = {"timestamp_ms": 0, "day": 1, "month": 1, "year": 1956, "date_valid": False}
    with sqlite_engine.begin() as connection:
        connection.execute(insert(Tag), [{"id": 99, "value": "ROCK"}])
        connection.execute(
            insert(TagAssignment),
            [
                {"user_id": user, "artist_id": artist, "tag_id": 99, **undated}
                for user, artist in ((4, 3), (5, 7), (6, 7))
            ],
        )
    index = TagIndex(sqlite_engine)
    snapshot = fresh_index(index)
    page = PageParams(limit=20, offset=0)
    with Session(sqlite_engine) as session:
        for tags, match, sort in itertools.product(
            [["Rock"], ["Rock", "80s"]], MatchMode, SearchSort
        ):
            args = {"tags": tags, "match": match, "bounds": PopularityBounds(), "sort": sort}
            from_db = search_artists(session, page=page, **args)  # type: ignore[arg-type]
            from_index = search_artists_json(snapshot, page=page, **args)  # type: ignore[arg-type]
            assert from_index == from_db.model_dump_json().encode(), args
            if tags == ["Rock"]:
                counts = {hit.id: hit.matched_tags[0].count for hit in from_db.items}
                assert counts == {3: 2 + 1, 4: 1, 5: 2, 7: 2}
    index.close()


def test_a_write_retires_the_index_until_it_is_rebuilt(sqlite_engine: Engine) -> None:
    index = TagIndex(sqlite_engine)
    assert fresh_index(index).popularity_of(1) == (50, 5000)
    with sqlite_engine.begin() as connection:
        connection.execute(delete(ArtistPopularity).where(ArtistPopularity.artist_id == 1))
    assert index.current() is None  # the very next search reads the database
    assert fresh_index(index).popularity_of(1) == (0, 0)  # no data: 0, as the SQL counts it
    index.close()


def test_a_catalog_without_tag_assignments_still_gets_an_index(sqlite_engine: Engine) -> None:
    """A fresh, empty catalog (``dev --no-import``) answers tag searches from the index."""
    with sqlite_engine.begin() as connection:
        connection.execute(delete(TagAssignment))
    index = TagIndex(sqlite_engine)
    snapshot = fresh_index(index)
    page = PageParams(limit=20, offset=0)
    with Session(sqlite_engine) as session:
        from_db = search_artists(
            session,
            tags=["rock"],
            match=MatchMode.all,
            bounds=PopularityBounds(),
            sort=SearchSort.relevance,
            page=page,
        )
    assert from_db.items == []
    assert (
        search_artists_json(
            snapshot,
            tags=["rock"],
            match=MatchMode.all,
            bounds=PopularityBounds(),
            sort=SearchSort.relevance,
            page=page,
        )
        == from_db.model_dump_json().encode()
    )
    index.close()


def test_a_memory_database_never_uses_the_index() -> None:
    from catalog.db import create_catalog_engine

    index = TagIndex(create_catalog_engine("sqlite://"))
    assert index.current() is None


def test_the_index_can_be_turned_off(sqlite_engine: Engine) -> None:
    index = TagIndex(sqlite_engine, wanted=False)
    assert index.current() is None
    assert not index.enabled
