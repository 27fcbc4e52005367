"""The domain events the warehouse follows: each one a producer publishes is recorded once by
``analytics-events`` (on a real Redis) as of when it occurred, and exported by the
``domain_events`` extractor on the day it occurred, without the user it names."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy import Engine, MetaData, select
from sqlalchemy.orm import Session

from analytics.config import Settings
from analytics.consumer import build_consumer
from analytics.db import MIGRATIONS
from analytics.extractors.events import DomainEvents
from analytics.models import EventRecord
from analytics.runner import run_extractors
from analytics.sources import read_event_log
from analytics.warehouse import open_warehouse
from soundstream_common.db import create_db_engine
from soundstream_common.events.contract import (
    ArtistDeleted,
    ArtistPopularity,
    DomainEvent,
    ListensChanged,
    Producer,
    UserCreated,
)
from soundstream_common.events.outbox import Outbox, outbox_table
from soundstream_common.redis import RedisHandle

from .conftest import D, make_snapshot

UTC = datetime.UTC


def rows(url: str, table: str) -> list[dict[str, Any]]:
    with open_warehouse(url) as warehouse:
        records: list[dict[str, Any]] = warehouse.read(table).to_pyarrow().to_pylist()
    return sorted(records, key=lambda r: (r["timestamp"], r["type"]))


def test_events_are_exported_on_the_day_they_occurred_without_the_user(
    warehouse_url: str,
) -> None:
    with open_warehouse(warehouse_url) as warehouse:
        run_extractors(warehouse, make_snapshot(), [DomainEvents], first_date=D("2009-12-31"))
    exported = rows(warehouse_url, "domain_events")
    assert exported == [
        {
            "timestamp": datetime.datetime(2010, 1, 2, 10, tzinfo=UTC),
            "type": "artist.created",
            "artist_id": 3,
            "artists": None,
        },
        {
            "timestamp": datetime.datetime(2010, 1, 2, 11, tzinfo=UTC),
            "type": "listens.changed",
            "artist_id": None,
            "artists": 2,
        },
        {
            "timestamp": datetime.datetime(2010, 1, 5, 23, 59, tzinfo=UTC),
            "type": "listens.changed",
            "artist_id": None,
            "artists": 1,
        },
        {
            "timestamp": datetime.datetime(2010, 1, 5, 23, 59, tzinfo=UTC),
            "type": "user.deleted",
            "artist_id": None,
            "artists": None,
        },
    ]  # the artist deleted on the day the snapshot was taken waits for the next run
    later = make_snapshot(taken=datetime.datetime(2010, 1, 9, tzinfo=UTC))
    with open_warehouse(warehouse_url) as warehouse:
        run_extractors(warehouse, later, [DomainEvents], first_date=D("2009-12-31"))
    assert [r["type"] for r in rows(warehouse_url, "domain_events")][-1] == "artist.deleted"


@pytest.fixture
def client(redis_url: str) -> Iterator[redis.Redis]:
    connection = redis.Redis.from_url(redis_url)
    yield connection
    connection.close()


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    made = create_db_engine(f"sqlite:///{tmp_path / 'analytics.db'}")
    MIGRATIONS.upgrade(made)
    yield made
    made.dispose()


def publish(client: redis.Redis, producer: Producer, *events: DomainEvent) -> None:
    """Publish ``events`` as ``producer`` does: recorded in its outbox, then relayed."""
    made = create_db_engine("sqlite://")
    metadata = MetaData()
    metadata.create_all(made, tables=[outbox_table(metadata)])
    box = Outbox(metadata.tables["event_outbox"], producer.value, RedisHandle("", client=client))
    with Session(made) as session:
        box.add_many(session, events)
        session.commit()
    box.flush(made)
    made.dispose()


def test_published_events_are_recorded_once_and_exported(
    engine: Engine, client: redis.Redis, redis_url: str, tmp_path: Path
) -> None:
    settings = Settings(redis_url=redis_url, log_json=False, data_dir=tmp_path)
    handle = RedisHandle(redis_url, client=client)
    consumer = build_consumer(settings, engine=engine, redis=handle, name="test")
    before = datetime.datetime.now(UTC)
    publish(
        client,
        Producer.LISTENING,
        UserCreated(user_id=8),
        ListensChanged(artists=[ArtistPopularity(artist_id=4, listeners=1, plays=9)], user_id=8),
    )
    publish(client, Producer.CATALOG, ArtistDeleted(artist_id=4))
    handled = 0
    while handled < 3:
        handled += consumer.run_once()

    # Delivered again (at least once): recorded once.
    for stream in (Producer.LISTENING.stream, Producer.CATALOG.stream):
        entries: Any = client.xrange(stream)
        for _id, fields in entries:
            client.xadd(stream, fields)
    assert consumer.run_once() == 3

    with Session(engine) as session:
        recorded = session.scalars(select(EventRecord).order_by(EventRecord.type)).all()
    assert [(r.type, r.user_id, r.artist_id, r.artists) for r in recorded] == [
        ("artist.deleted", None, 4, None),
        ("listens.changed", 8, None, 1),
        ("user.created", 8, None, None),
    ]
    assert all(before <= r.occurred_at <= datetime.datetime.now(UTC) for r in recorded)

    today = before.date()
    snapshot = make_snapshot(taken=datetime.datetime.now(UTC))
    snapshot = type(snapshot)(snapshot.tables, snapshot.taken, read_event_log(engine))
    warehouse_url = f"duckdb:///{tmp_path / 'warehouse.duckdb'}"
    with open_warehouse(warehouse_url) as warehouse:
        run_extractors(
            warehouse,
            snapshot,
            [DomainEvents],
            first_date=today,
            today=today + datetime.timedelta(days=1),
        )
    exported = rows(warehouse_url, "domain_events")
    assert sorted((r["type"], r["artist_id"], r["artists"]) for r in exported) == [
        ("artist.deleted", 4, None),
        ("listens.changed", None, 1),
        ("user.created", None, None),
    ]
    assert {r["timestamp"] for r in exported} == {r.occurred_at for r in recorded}
