"""Domain events with a real Redis: publishing after commit, the consumer and its handlers,
idempotency, a consumer process stopped and restarted, and dead letters."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from listening.consumer import build_consumer
from soundstream_common.events import Event, stream_for
from soundstream_common.events.consumer import EventConsumer
from soundstream_common.redis import RedisHandle
from soundstream_testing import wait_until

from .conftest import ListeningService

CATALOG_STREAM = stream_for("catalog")
LISTENING_STREAM = stream_for("listening")


@pytest.fixture
def client(redis_url: str) -> Iterator[redis.Redis]:
    connection = redis.Redis.from_url(redis_url)
    yield connection
    connection.close()


def publish(client: redis.Redis, event_type: str, payload: dict[str, Any]) -> Event:
    """Publish an event as the catalog does."""
    event = Event(type=event_type, payload=payload, producer="catalog")
    client.xadd(CATALOG_STREAM, event.to_fields())  # type: ignore[arg-type]
    return event


def published(api: ListeningService, client: redis.Redis) -> list[tuple[str, dict[str, Any]]]:
    """Everything the service has published so far (after relaying its committed outbox)."""
    state = api.app_state
    state.events.outbox.flush(state.engine)
    entries: Any = client.xrange(LISTENING_STREAM)
    events = [Event.from_fields(fields) for _, fields in entries]
    assert all(e.producer == "listening" for e in events)
    return [(e.type, e.payload) for e in events]


@pytest.fixture
def consumer(redis_api: ListeningService, redis_url: str) -> Iterator[Callable[..., EventConsumer]]:
    handles: list[RedisHandle] = []

    def make(**settings: Any) -> EventConsumer:
        handle = RedisHandle(redis_url, socket_timeout=5.0)
        handles.append(handle)
        made = build_consumer(
            redis_api.settings.model_copy(update=settings),
            engine=redis_api.engine,
            redis=handle,
            name=f"test-{len(handles)}",
        )
        made.block_ms = 100
        return made

    yield make
    for handle in handles:
        handle.close()


# Publishing -----------------------------------------------------------------------------------


def test_writes_publish_their_events_after_commit(
    redis_api: ListeningService, client: redis.Redis
) -> None:
    redis_api.client.post("/users", json={"id": 7})
    redis_api.client.put("/users/7/artists/10", json={"weight": 5})
    redis_api.client.post("/users/7/friends", json={"friend_id": 1})
    redis_api.client.delete("/users/7")
    assert published(redis_api, client) == [
        ("user.created", {"user_id": 7}),
        (
            "listens.changed",
            {"artists": [{"artist_id": 10, "listeners": 3, "plays": 9}], "user_id": 7},
        ),
        ("user.deleted", {"user_id": 7}),
        ("listens.changed", {"artists": [{"artist_id": 10, "listeners": 2, "plays": 4}]}),
    ]
    assert redis_api.outbox() == []


def test_rejected_requests_publish_nothing(
    redis_api: ListeningService, client: redis.Redis
) -> None:
    responses = [
        redis_api.client.post("/users", json={"id": 1}),
        redis_api.client.put("/users/1/artists/999", json={"weight": 5}),
        redis_api.client.put("/users/1/artists/10", json={"weight": 0}),
        redis_api.client.patch("/users/4/artists/10", json={"add_plays": 1}),
        redis_api.client.delete("/users/999"),
    ]
    assert [r.status_code for r in responses] == [409, 404, 422, 404, 404]
    assert published(redis_api, client) == []


FAIL_SQLITE = """
CREATE TRIGGER fail_version_bump BEFORE UPDATE ON dataset_version
WHEN NEW.version <> OLD.version
BEGIN SELECT RAISE(ABORT, 'injected failure'); END
"""
FAIL_POSTGRES = [
    """CREATE FUNCTION fail_version_bump() RETURNS trigger LANGUAGE plpgsql
    AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$""",
    """CREATE TRIGGER fail_version_bump BEFORE UPDATE ON dataset_version FOR EACH ROW
    WHEN (NEW.version <> OLD.version) EXECUTE FUNCTION fail_version_bump()""",
]


def test_a_transaction_that_fails_after_recording_its_event_publishes_nothing(
    redis_api: ListeningService, client: redis.Redis
) -> None:
    """The event is in the outbox, then the commit fails: it must never reach the stream."""
    for sql in [FAIL_SQLITE] if redis_api.engine.dialect.name == "sqlite" else FAIL_POSTGRES:
        redis_api.execute(sql)
    before = redis_api.state()
    response = redis_api.client.post("/users", json={"id": 50})
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    response = redis_api.client.put("/users/1/artists/10", json={"weight": 9})
    assert response.status_code == 500
    assert redis_api.state() == before
    assert published(redis_api, client) == []


# Consuming ------------------------------------------------------------------------------------


def test_artist_created_makes_the_artist_usable(
    redis_api: ListeningService, client: redis.Redis, consumer: Callable[..., EventConsumer]
) -> None:
    assert redis_api.client.put("/users/1/artists/60", json={"weight": 1}).status_code == 404
    publish(client, "artist.created", {"artist_id": 60})
    assert consumer().run_once() == 1
    assert 60 in redis_api.state()["artists"]
    assert redis_api.client.put("/users/1/artists/60", json={"weight": 1}).status_code == 201
    assert redis_api.client.get("/stats/overview").json()["artists"] == 6


def test_artist_deleted_cascades_its_listens_and_refreshes_caches(
    redis_api: ListeningService, client: redis.Redis, consumer: Callable[..., EventConsumer]
) -> None:
    top = redis_api.client.get("/stats/artists/top").json()
    assert [a["artist_id"] for a in top["items"]] == [40, 10, 20, 30]
    assert redis_api.client.get("/users/2").json()["plays"] == 4
    version = redis_api.version()
    publish(client, "artist.deleted", {"artist_id": 10})
    assert consumer().run_once() == 1
    state = redis_api.state()
    assert 10 not in state["artists"]
    assert state["listens"] == [(1, 20, 1), (2, 30, 1), (3, 40, 6)]
    assert state["version"] == version + 1
    top = redis_api.client.get("/stats/artists/top").json()
    assert [a["artist_id"] for a in top["items"]] == [40, 20, 30]
    assert redis_api.client.get("/users/2").json()["plays"] == 1
    assert redis_api.client.put("/users/1/artists/10", json={"weight": 1}).status_code == 404
    # The listening service does not answer an artist.deleted with events of its own.
    assert published(redis_api, client) == []


def test_handlers_are_idempotent(
    redis_api: ListeningService, client: redis.Redis, consumer: Callable[..., EventConsumer]
) -> None:
    created = publish(client, "artist.created", {"artist_id": 61})
    client.xadd(CATALOG_STREAM, created.to_fields())  # type: ignore[arg-type]  # redelivered
    publish(client, "artist.created", {"artist_id": 10})  # already known
    deleted = publish(client, "artist.deleted", {"artist_id": 20})
    client.xadd(CATALOG_STREAM, deleted.to_fields())  # type: ignore[arg-type]
    publish(client, "artist.deleted", {"artist_id": 999})  # never known
    version = redis_api.version()
    assert consumer().run_once() == 6
    state = redis_api.state()
    assert state["artists"] == [10, 30, 40, 50, 61]
    assert state["listens"] == [(1, 10, 1), (2, 10, 3), (2, 30, 1), (3, 40, 6)]
    assert state["version"] == version + 1  # one change of listens, one bump


def test_unknown_event_types_are_acknowledged_and_skipped(
    redis_api: ListeningService, client: redis.Redis, consumer: Callable[..., EventConsumer]
) -> None:
    before = redis_api.state()
    publish(client, "tag.renamed", {"tag_id": 3})
    assert consumer().run_once() == 0
    assert redis_api.state() == before
    pending: Any = client.xpending(CATALOG_STREAM, "listening")
    assert pending["pending"] == 0


def test_a_failing_event_ends_in_the_dead_letters(
    redis_api: ListeningService, client: redis.Redis, consumer: Callable[..., EventConsumer]
) -> None:
    poison = publish(client, "artist.deleted", {"artist_id": "ten"})
    publish(client, "artist.created", {"artist_id": 62})
    worker = consumer(events_max_deliveries=3, events_retry_after_ms=0)
    assert worker.run_once() == 1  # the good event goes through; the poison one fails
    for _ in range(worker.max_deliveries):
        worker.run_once()
    pending: Any = client.xpending(CATALOG_STREAM, "listening")
    assert pending["pending"] == 0
    assert 62 in redis_api.state()["artists"]
    response = redis_api.client.get("/events/dead-letters")
    assert response.status_code == 200
    [letter] = response.json()
    assert letter["event"]["id"] == poison.id
    assert letter["event"]["type"] == "artist.deleted"
    assert letter["stream"] == CATALOG_STREAM
    assert letter["deliveries"] == 3
    assert "artist_id" in letter["error"]


# The consumer process -------------------------------------------------------------------------


def consumer_process(api: ListeningService) -> subprocess.Popen[bytes]:
    executable = Path(sys.executable).with_name("listening-events")
    env = {
        **os.environ,
        "LISTENING_DATABASE_URL": api.settings.database_url,
        "LISTENING_REDIS_URL": api.settings.redis_url,
        "LISTENING_LOG_JSON": "false",
    }
    return subprocess.Popen([str(executable)], env=env)


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0


def group_lag(client: redis.Redis) -> int:
    groups: Any = client.xinfo_groups(CATALOG_STREAM)
    [group] = [g for g in groups if g["name"] in (b"listening", "listening")]
    return int(group["lag"]) + int(group["pending"])


def test_a_stopped_consumer_processes_the_backlog_when_restarted(
    redis_api: ListeningService, client: redis.Redis
) -> None:
    process = consumer_process(redis_api)
    try:
        publish(client, "artist.created", {"artist_id": 70})
        wait_until(lambda: 70 in redis_api.state()["artists"], what="artist 70 to be known")
    finally:
        stop(process)

    publish(client, "artist.created", {"artist_id": 71})
    publish(client, "artist.deleted", {"artist_id": 40})
    assert group_lag(client) == 2  # waiting in the group while nobody consumes
    assert 71 not in redis_api.state()["artists"]

    process = consumer_process(redis_api)
    try:
        wait_until(lambda: group_lag(client) == 0, what="the consumer to catch up")
    finally:
        stop(process)
    state = redis_api.state()
    assert 71 in state["artists"]
    assert 40 not in state["artists"]
    assert (3, 40, 6) not in state["listens"]
