"""Events, with a real Redis: artist events published only after commit; the consumer's
handlers for the listening service's events, idempotency, catching up after a stop, and
dead-lettering a handler that keeps failing."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url

from catalog.consumer import build_consumer
from catalog.main import create_app
from catalog.models import ArtistPopularity, TagAssignment, UserRef
from soundstream_common.events import Event, stream_for
from soundstream_common.events.consumer import EventConsumer

from .conftest import app_state

CATALOG_STREAM = stream_for("catalog")
LISTENING_STREAM = stream_for("listening")


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


@pytest.fixture
def consumer_for(
    engine: Engine, redis_client: redis.Redis, redis_url: str, settings_for: Callable[..., Any]
) -> Callable[[], EventConsumer]:
    """A fresh consumer process stand-in: quick retries, three deliveries at most."""
    settings = settings_for(str(engine.url.render_as_string(hide_password=False)), redis_url)

    def make() -> EventConsumer:
        return build_consumer(
            settings,
            engine=engine,
            client=redis_client,
            max_deliveries=3,
            retry_after_ms=0,
            block_ms=1,
        )

    return make


def published(
    client: redis.Redis, stream: str = CATALOG_STREAM
) -> list[tuple[str, dict[str, Any]]]:
    """(type, payload) of every event in ``stream``."""
    events = []
    entries: Any = client.xrange(stream)
    for _id, fields in entries:
        event = json.loads(fields[b"event"])
        events.append((event["type"], event["payload"]))
    return events


def flush_outbox(client: TestClient) -> None:
    """Publish whatever the app's outbox holds now (the relay does this in the background)."""
    state = app_state(client)
    state.events.outbox.flush(state.engine)


def publish(client: redis.Redis, event_type: str, payload: dict[str, Any]) -> Event:
    event = Event(type=event_type, payload=payload, producer="listening")
    client.xadd(LISTENING_STREAM, event.to_fields())  # type: ignore[arg-type]
    return event


def count(engine: Engine, statement: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(statement).scalar_one())


def test_artist_writes_publish_after_commit(client: TestClient, redis_client: redis.Redis) -> None:
    created = client.post("/artists", json={"name": "Air"}).json()
    assert client.delete("/artists/5").status_code == 204
    flush_outbox(client)
    assert published(redis_client) == [
        ("artist.created", {"artist_id": created["id"]}),
        ("artist.deleted", {"artist_id": 5}),
    ]


def test_failed_requests_publish_nothing(client: TestClient, redis_client: redis.Redis) -> None:
    assert client.delete("/artists/999").status_code == 404
    assert client.post("/artists", json={"name": ""}).status_code == 422
    flush_outbox(client)
    assert published(redis_client) == []


@contextmanager
def artist_row_locked(url: str, artist_id: int) -> Iterator[None]:
    """Another transaction holds artist ``artist_id`` so that deleting it fails."""
    if make_url(url).get_backend_name() == "sqlite":
        locker = sqlite3.connect(str(make_url(url).database), isolation_level=None)
        locker.execute("BEGIN IMMEDIATE")  # the write lock of the whole file
        try:
            yield
        finally:
            locker.execute("ROLLBACK")
            locker.close()
        return
    engine = create_engine(url)
    with engine.connect() as conn:
        conn.execute(text("SELECT id FROM artists WHERE id = :id FOR UPDATE"), {"id": artist_id})
        yield
        conn.rollback()
    engine.dispose()


def test_rolled_back_delete_publishes_nothing(
    seeded_url: str,
    redis_url: str,
    redis_client: redis.Redis,
    engine: Engine,
    settings_for: Callable[..., Any],
    state: Callable[[Engine], Any],
) -> None:
    """The delete records its event, then fails on a lock and rolls back: no event, ever."""
    if engine.dialect.name == "postgresql":
        name = make_url(seeded_url).database
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f"ALTER DATABASE \"{name}\" SET lock_timeout = '200ms'"))
    settings = settings_for(seeded_url, redis_url, sqlite_busy_timeout_ms=0)
    with TestClient(create_app(settings)) as client:
        before = state(engine)
        with artist_row_locked(seeded_url, 3):
            failed = client.delete("/artists/3")
        assert failed.status_code == 503, failed.text
        flush_outbox(client)
        assert published(redis_client) == []
        assert state(engine) == before
        assert client.delete("/artists/3").status_code == 204
        flush_outbox(client)
    assert published(redis_client) == [("artist.deleted", {"artist_id": 3})]


def test_user_events(
    client: TestClient, engine: Engine, redis_client: redis.Redis, consumer_for: Any
) -> None:
    consumer = consumer_for()
    publish(redis_client, "user.created", {"user_id": 42})
    assert consumer.run_once() == 1
    created = client.post("/tag-assignments", json={"user_id": 42, "artist_id": 7, "tag_id": 1})
    assert created.status_code == 201
    top = client.get("/stats/tags/top", params={"by": "users"}).json()  # cached now
    publish(redis_client, "user.deleted", {"user_id": 2})
    publish(redis_client, "user.deleted", {"user_id": 42})
    assert consumer.run_once() == 2
    assert count(engine, select(func.count()).where(UserRef.id.in_([2, 42]))) == 0
    assert count(engine, select(func.count()).where(TagAssignment.user_id.in_([2, 42]))) == 0
    # The consumer invalidated the cached statistics.
    after = client.get("/stats/tags/top", params={"by": "users"}).json()
    rock = next(t for t in after["items"] if t["value"] == "rock")
    assert rock["users"] == next(t for t in top["items"] if t["value"] == "rock")["users"] - 2
    assert client.get("/tags/1").json()["assignments"] == 3


def test_listens_changed_sets_absolute_popularity(
    client: TestClient, engine: Engine, redis_client: redis.Redis, consumer_for: Any
) -> None:
    cached = client.get("/tags/1/artists").json()
    search = client.get("/search/artists", params={"tag": "rock", "sort": "listeners"}).json()
    assert [a["id"] for a in search["items"]] == [3, 4, 5]
    publish(
        redis_client,
        "listens.changed",
        {
            "artists": [
                {"artist_id": 5, "listeners": 99, "plays": 12345},
                {"artist_id": 3, "listeners": 31, "plays": 3100},
                {"artist_id": 999, "listeners": 1, "plays": 1},  # not in the catalog: skipped
            ]
        },
    )
    assert consumer_for().run_once() == 1
    with engine.connect() as conn:
        rows = dict(conn.execute(select(ArtistPopularity.artist_id, ArtistPopularity.plays)).all())
    assert (rows[5], rows[3], 999 in rows) == (12345, 3100, False)
    assert client.get("/artists/5").json()["listeners"] == 99
    after = client.get("/tags/1/artists").json()
    assert after != cached
    assert {a["id"]: a["listeners"] for a in after["items"]}[5] == 99
    search = client.get("/search/artists", params={"tag": "rock", "sort": "listeners"}).json()
    assert [a["id"] for a in search["items"]] == [5, 3, 4]


def test_handlers_are_idempotent(
    engine: Engine,
    redis_client: redis.Redis,
    consumer_for: Any,
    state: Callable[[Engine], Any],
) -> None:
    events: list[tuple[str, dict[str, Any]]] = [
        ("user.created", {"user_id": 77}),
        ("user.created", {"user_id": 1}),
        ("user.deleted", {"user_id": 3}),
        ("listens.changed", {"artists": [{"artist_id": 7, "listeners": 5, "plays": 50}]}),
    ]
    consumer = consumer_for()
    for event_type, payload in events:
        publish(redis_client, event_type, payload)
    assert consumer.run_once() == 4
    once = state(engine)
    for event_type, payload in events:  # redelivered, e.g. after a crash before the ack
        publish(redis_client, event_type, payload)
    assert consumer.run_once() == 4
    assert state(engine) == once
    assert (77,) in once["user_refs"]
    assert (3,) not in once["user_refs"]
    assert (7, 5, 50) in once["artist_popularity"]


def test_events_published_while_stopped_are_handled_on_start(
    engine: Engine, redis_client: redis.Redis, consumer_for: Any
) -> None:
    first = consumer_for()
    first.ensure_groups()
    assert first.run_once() == 0
    del first  # stopped
    publish(redis_client, "user.created", {"user_id": 500})
    publish(
        redis_client, "listens.changed", {"artists": [{"artist_id": 6, "listeners": 2, "plays": 9}]}
    )
    publish(redis_client, "user.deleted", {"user_id": 4})
    assert count(engine, select(func.count()).where(UserRef.id == 500)) == 0
    restarted = consumer_for()
    assert restarted.run_once() == 3
    assert count(engine, select(func.count()).where(UserRef.id == 500)) == 1
    assert count(engine, select(func.count()).where(UserRef.id == 4)) == 0
    assert count(engine, select(ArtistPopularity.plays).where(ArtistPopularity.artist_id == 6)) == 9
    assert restarted.run_once() == 0


def test_failing_handler_ends_in_dead_letters(
    client: TestClient, engine: Engine, redis_client: redis.Redis, consumer_for: Any
) -> None:
    bad = publish(redis_client, "listens.changed", {"artists": "not a list"})
    publish(redis_client, "user.created", {"user_id": 601})
    consumer = consumer_for()
    handled = [consumer.run_once() for _ in range(3)]
    assert handled == [1, 0, 0]  # the good event went through at once
    assert count(engine, select(func.count()).where(UserRef.id == 601)) == 1
    letters = client.get("/events/dead-letters").json()
    assert len(letters) == 1
    letter = letters[0]
    assert letter["stream"] == LISTENING_STREAM
    assert letter["deliveries"] == 3
    assert letter["event"]["id"] == bad.id
    assert letter["event"]["payload"] == {"artists": "not a list"}
    assert "ListensChanged" in letter["error"]  # the contract type the payload did not fit
    assert consumer.run_once() == 0  # acknowledged: not retried again
    assert redis_client.xpending(LISTENING_STREAM, "catalog")["pending"] == 0
