"""The event contract end to end on a real Redis: a producer's typed event leaves the outbox as
the JSON envelope services have always exchanged, and a consumer's handler receives it as its
type; a payload that does not fit is retried and then dead-lettered; handlers are found by the
event they are marked with."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from pydantic import ValidationError
from sqlalchemy import Engine, MetaData, create_engine
from sqlalchemy.orm import Session

from soundstream_common.events import Event
from soundstream_common.events.consumer import EventConsumer, list_dead_letters
from soundstream_common.events.contract import (
    ArtistDeleted,
    ArtistPopularity,
    DomainEvent,
    ListensChanged,
    Producer,
    UserDeleted,
)
from soundstream_common.events.handlers import EventHandlers, handles
from soundstream_common.events.outbox import Outbox, outbox_table
from soundstream_common.ids import MAX_ID
from soundstream_common.redis import RedisHandle


@pytest.fixture
def client(redis_url: str) -> Iterator[redis.Redis]:
    connection = redis.Redis.from_url(redis_url)
    yield connection
    connection.close()


@pytest.fixture
def engine() -> Iterator[Engine]:
    made = create_engine("sqlite://")
    yield made
    made.dispose()


def outbox(engine: Engine, client: redis.Redis, producer: str) -> Outbox:
    metadata = MetaData()
    table = outbox_table(metadata)
    metadata.create_all(engine)
    return Outbox(table, producer, RedisHandle("redis://unused", client=client))


def record(engine: Engine, box: Outbox, *events: DomainEvent) -> None:
    with Session(engine) as session:
        box.add_many(session, events)
        session.commit()
    box.flush(engine)


def published(client: redis.Redis, producer: Producer) -> list[dict[str, Any]]:
    entries: Any = client.xrange(producer.stream)
    return [json.loads(fields[b"event"]) for _id, fields in entries]


def test_typed_events_leave_as_the_envelope_consumers_have_always_read(
    engine: Engine, client: redis.Redis
) -> None:
    box = outbox(engine, client, "listening")
    popularity = [ArtistPopularity(artist_id=7, listeners=2, plays=40)]
    record(
        engine,
        box,
        UserDeleted(user_id=3),
        ListensChanged(artists=popularity),
        ListensChanged(artists=popularity, user_id=3),
    )
    events = published(client, Producer.LISTENING)
    assert [(e["type"], e["payload"], e["producer"]) for e in events] == [
        ("user.deleted", {"user_id": 3}, "listening"),
        (
            "listens.changed",
            {"artists": [{"artist_id": 7, "listeners": 2, "plays": 40}]},
            "listening",
        ),
        (
            "listens.changed",
            {"artists": [{"artist_id": 7, "listeners": 2, "plays": 40}], "user_id": 3},
            "listening",
        ),
    ]
    assert all(set(e) == {"type", "payload", "producer", "id", "occurred_at"} for e in events)


def test_a_service_cannot_publish_another_services_event(
    engine: Engine, client: redis.Redis
) -> None:
    box = outbox(engine, client, "listening")
    with Session(engine) as session, pytest.raises(ValueError, match="published by catalog"):
        box.add(session, ArtistDeleted(artist_id=1))


def test_ids_outside_the_contracts_range_are_refused() -> None:
    ArtistDeleted(artist_id=MAX_ID)
    for wrong in (0, MAX_ID + 1):
        with pytest.raises(ValidationError, match="artist_id"):
            ArtistDeleted(artist_id=wrong)


class Seen(EventHandlers):
    def __init__(self) -> None:
        self.events: list[DomainEvent] = []

    @handles(ArtistDeleted)
    def artist_deleted(self, event: ArtistDeleted) -> None:
        self.events.append(event)

    @handles(ListensChanged)
    def listens_changed(self, event: ListensChanged) -> None:
        self.events.append(event)


def publish(client: redis.Redis, producer: Producer, event_type: str, payload: Any) -> None:
    event = Event(type=event_type, payload=payload, producer=producer.value)
    client.xadd(producer.stream, event.to_fields())  # type: ignore[arg-type]


def test_handlers_are_found_by_the_event_they_are_marked_with() -> None:
    assert Seen.handled() == {ArtistDeleted: "artist_deleted", ListensChanged: "listens_changed"}
    assert Seen.streams() == [Producer.CATALOG.stream, Producer.LISTENING.stream]

    class Twice(EventHandlers):
        @handles(UserDeleted)
        def one(self, event: UserDeleted) -> None: ...

        @handles(UserDeleted)
        def other(self, event: UserDeleted) -> None: ...

    with pytest.raises(TypeError, match="twice"):
        Twice.handled()


def test_the_consumer_hands_each_handler_its_typed_event(client: redis.Redis) -> None:
    seen = Seen()
    consumer = EventConsumer(
        client, group="probe", handlers=seen, max_deliveries=2, retry_after_ms=0, block_ms=1
    )
    publish(client, Producer.CATALOG, "artist.deleted", {"artist_id": 5})
    publish(client, Producer.LISTENING, "user.deleted", {"user_id": 4})  # not handled here
    publish(client, Producer.LISTENING, "listens.changed", {"artists": [], "user_id": 4})
    publish(client, Producer.CATALOG, "artist.deleted", {"artist_id": "five"})
    handled = consumer.run_once() + consumer.run_once() + consumer.run_once()

    assert handled == 2
    assert seen.events == [ArtistDeleted(artist_id=5), ListensChanged(artists=[], user_id=4)]
    letters = list_dead_letters(client, "probe")
    assert [(letter.event["type"], letter.event["payload"]) for letter in letters] == [
        ("artist.deleted", {"artist_id": "five"})
    ]
    for stream in consumer.streams:
        assert client.xpending(stream, "probe")["pending"] == 0


def test_a_handler_marked_with_envelope_also_receives_the_envelope(client: redis.Redis) -> None:
    class Stamped(EventHandlers):
        def __init__(self) -> None:
            self.received: list[tuple[UserDeleted, str, str]] = []

        @handles(UserDeleted, envelope=True)
        def user_deleted(self, event: UserDeleted, envelope: Event) -> None:
            self.received.append((event, envelope.id, envelope.occurred_at))

    stamped = Stamped()
    consumer = EventConsumer(client, group="stamped", handlers=stamped, block_ms=1)
    event = Event(
        type="user.deleted",
        payload={"user_id": 4},
        producer="listening",
        occurred_at="2026-12-07T10:00:00+00:00",
    )
    client.xadd(Producer.LISTENING.stream, event.to_fields())  # type: ignore[arg-type]

    assert consumer.run_once() == 1
    assert stamped.received == [(UserDeleted(user_id=4), event.id, "2026-12-07T10:00:00+00:00")]
