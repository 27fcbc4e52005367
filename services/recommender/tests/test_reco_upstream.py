"""The serving path's upstream client against the real catalog and listening apps (SQLite,
a handful of rows): friends' artists, a user's tags, a tag's artists, the top artists."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import insert

from catalog.config import Settings as CatalogSettings
from catalog.db import MIGRATIONS as CATALOG_MIGRATIONS
from catalog.db import create_catalog_engine
from catalog.main import create_app as create_catalog_app
from catalog.models import Artist, Tag, TagAssignment, UserRef
from listening.config import Settings as ListeningSettings
from listening.db import MIGRATIONS as LISTENING_MIGRATIONS
from listening.main import create_app as create_listening_app
from listening.models import ArtistRef, Friendship, Listen, User
from recommender.config import Settings
from recommender.upstream import Upstream
from soundstream_common.db import create_db_engine
from soundstream_common.errors import DependencyUnavailableError

from .conftest import serve

# user 1 is friends with 2 and 3; 2 plays 10, 20; 3 plays 20, 30; 1 plays 30
LISTENS = ((1, 30, 5), (2, 10, 4), (2, 20, 9), (3, 20, 1), (3, 30, 2))
FRIENDS = ((1, 2), (2, 1), (1, 3), (3, 1))
# (user, artist, tag): tag 7 twice on artist 20, once on 10; user 1 used tag 7 twice, 8 once
ASSIGNMENTS = ((1, 20, 7), (2, 20, 7), (1, 10, 7), (1, 30, 8))
# The deployment's service token: both upstreams require it, as they do in production.
TOKEN = secrets.token_hex(32)


@pytest.fixture
def listening_url(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'listening.db'}"
    engine = create_db_engine(url)
    LISTENING_MIGRATIONS.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(insert(ArtistRef), [{"id": i} for i in (10, 20, 30)])
        conn.execute(insert(User), [{"id": i} for i in (1, 2, 3)])
        conn.execute(
            insert(Listen), [{"user_id": u, "artist_id": a, "weight": w} for u, a, w in LISTENS]
        )
        conn.execute(insert(Friendship), [{"user_id": a, "friend_id": b} for a, b in FRIENDS])
    engine.dispose()
    with serve(
        create_listening_app(ListeningSettings(database_url=url, redis_url="", service_token=TOKEN))
    ) as base:
        yield base


@pytest.fixture
def catalog_url(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'catalog.db'}"
    engine = create_catalog_engine(url)
    CATALOG_MIGRATIONS.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(
            insert(Artist),
            [{"id": i, "name": f"artist {i}", "search_name": f"artist {i}"} for i in (10, 20, 30)],
        )
        conn.execute(insert(Tag), [{"id": 7, "value": "rock"}, {"id": 8, "value": "jazz"}])
        conn.execute(insert(UserRef), [{"id": i} for i in (1, 2, 3)])
        conn.execute(
            insert(TagAssignment),
            [
                {"user_id": u, "artist_id": a, "tag_id": t, "timestamp_ms": 0, "date_valid": False}
                for u, a, t in ASSIGNMENTS
            ],
        )
    engine.dispose()
    with serve(
        create_catalog_app(CatalogSettings(database_url=url, redis_url="", service_token=TOKEN))
    ) as base:
        yield base


@pytest.fixture
def upstream(listening_url: str, catalog_url: str) -> Iterator[Upstream]:
    client = Upstream(
        Settings(listening_url=listening_url, catalog_url=catalog_url, service_token=TOKEN)
    )
    yield client
    client.close()


def test_friends_artists_come_from_the_listening_service(upstream: Upstream) -> None:
    assert upstream.friends_artists(1, 10) == [(20, 2, 10), (10, 1, 4)]
    assert upstream.friends_artists(99, 10) is None


def test_a_users_listens_come_from_the_listening_service(upstream: Upstream) -> None:
    assert upstream.user_listens(2) == {10: 4, 20: 9}
    assert upstream.user_listens(99) is None


def test_artists_and_tags_by_name_and_their_tags_come_from_the_catalog(
    upstream: Upstream,
) -> None:
    assert upstream.artist_named("ARTIST 20") == 20
    assert upstream.artist_named("artist 2") is None, "exact names only"
    assert upstream.tag_named(" Jazz ") == 8
    assert upstream.tag_named("polka") is None
    assert upstream.artist_exists(10) is True
    assert upstream.artist_exists(99) is False
    assert upstream.artists_tags([10, 20, 30, 99]) == {10: {7: 1}, 20: {7: 2}, 30: {8: 1}}


def test_tags_come_from_the_catalog(upstream: Upstream) -> None:
    assert upstream.user_tags(1) == [(7, 2), (8, 1)]
    assert upstream.tag_artists(7, 10) == [(20, 2), (10, 1)]
    assert upstream.tag_artists(99, 10) is None


def test_top_artists_and_unreachable_services(upstream: Upstream) -> None:
    assert [int(a) for a, _ in upstream.top_artists(3)] == [20, 30, 10]
    down = Upstream(Settings(listening_url="http://127.0.0.1:9", catalog_url=""))
    assert down.friends_artists(1, 10) is None
    assert down.user_tags(1) is None
    with pytest.raises(DependencyUnavailableError):
        down.top_artists(5)
    down.close()


def test_without_the_service_token_the_upstreams_refuse(
    listening_url: str, catalog_url: str
) -> None:
    tokenless = Upstream(Settings(listening_url=listening_url, catalog_url=catalog_url))
    try:
        assert tokenless.user_exists(1) is None  # a 401: it cannot say
        assert tokenless.user_tags(1) is None
        with pytest.raises(DependencyUnavailableError):
            tokenless.top_artists(3)
    finally:
        tokenless.close()
