"""Transactional outbox and its relay to Redis Streams."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from functools import partial
from typing import Any

from loguru import logger
from sqlalchemy import (
    BigInteger,
    Column,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    func,
    insert,
    select,
)
from sqlalchemy.orm import Session

from soundstream_common.events.contract import DomainEvent
from soundstream_common.events.envelope import Event, stream_for
from soundstream_common.redis import RedisHandle

STREAM_MAXLEN = 200_000
BATCH = 500


def outbox_table(metadata: MetaData) -> Table:
    """The ``event_outbox`` table, added to a service's own metadata."""
    return Table(
        "event_outbox",
        metadata,
        Column(
            "seq",
            BigInteger().with_variant(Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        Column("type", String(64), nullable=False),
        Column("event", Text, nullable=False),
    )


class Outbox:
    """Records events inside the caller's transaction; :meth:`flush` publishes committed ones."""

    def __init__(self, table: Table, producer: str, redis: RedisHandle | None) -> None:
        self.table = table
        self.producer = producer
        self.redis = redis
        self.stream = stream_for(producer)
        self._flush_lock = threading.Lock()

    def add(self, session: Session, event: DomainEvent) -> Event:
        return self.add_many(session, [event])[0]

    def add_many(self, session: Session, events: Iterable[DomainEvent]) -> list[Event]:
        made = [self._envelope(event) for event in events]
        if made:
            session.execute(
                insert(self.table),
                [{"type": e.type, "event": e.to_fields()["event"]} for e in made],
            )
        return made

    def _envelope(self, event: DomainEvent) -> Event:
        if self.producer != event.PRODUCER:
            raise ValueError(f"{event.TYPE} is published by {event.PRODUCER}, not {self.producer}")
        return Event(type=event.TYPE, payload=event.payload(), producer=self.producer)

    def pending(self, engine: Engine) -> int:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(self.table)).scalar_one())

    def flush(self, engine: Engine) -> int:
        """Publish committed events in order; returns how many were published."""
        if self.redis is None or not self.redis.available:
            return 0
        published = 0
        with self._flush_lock:
            while True:
                with engine.connect() as conn:
                    rows = conn.execute(
                        select(self.table.c.seq, self.table.c.event)
                        .order_by(self.table.c.seq)
                        .limit(BATCH)
                    ).all()
                if not rows:
                    return published
                done = self.redis.call(partial(self._publish, rows=list(rows)))
                if not done:
                    return published
                with engine.begin() as conn:
                    conn.execute(
                        delete(self.table).where(self.table.c.seq.in_([r.seq for r in rows]))
                    )
                published += len(rows)

    def _publish(self, client: Any, *, rows: list[Any]) -> bool:
        pipe = client.pipeline(transaction=False)
        for row in rows:
            pipe.xadd(self.stream, {"event": row.event}, maxlen=STREAM_MAXLEN, approximate=True)
        pipe.execute()
        return True


class OutboxRelay:
    """Background thread that flushes the outbox when poked and at a steady interval."""

    def __init__(self, outbox: Outbox, engine: Engine, *, interval: float = 1.0) -> None:
        self.outbox = outbox
        self.engine = engine
        self.interval = interval
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="outbox-relay", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def notify(self) -> None:
        """Call after a commit that added events: they are published promptly."""
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=5)
        self._flush_once()

    def _flush_once(self) -> None:
        try:
            self.outbox.flush(self.engine)
        except Exception as exc:  # the database may be briefly unavailable; retry next tick
            logger.warning("outbox relay: flush failed: {}", exc)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.interval)
            self._wake.clear()
            self._flush_once()
