"""Consume domain events from Redis Streams: consumer groups, retries, a dead-letter stream."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import redis
from loguru import logger
from sqlalchemy import Engine

from soundstream_common.db import create_db_engine
from soundstream_common.events.envelope import Event, dead_letter_stream
from soundstream_common.events.handlers import EventHandlers
from soundstream_common.logging import configure_logging
from soundstream_common.redis import RedisHandle
from soundstream_common.settings import ServiceSettings


@dataclass(frozen=True)
class DeadLetter:
    id: str
    stream: str
    message_id: str
    error: str
    failed_at: str
    deliveries: int
    event: dict[str, Any]


class EventConsumer:
    """Process the events ``handlers`` handle, in consumer group ``group``.

    It reads the streams those events are published to. At least once: an event is
    acknowledged only after its handler succeeded. A failed event (a payload that does not
    fit its type, or a handler that raised) is retried (re-claimed after ``retry_after_ms``)
    until it has been delivered ``max_deliveries`` times, then it is moved to the group's
    dead-letter stream. Event types without a handler are acknowledged and skipped.
    """

    def __init__(
        self,
        client: redis.Redis,
        *,
        group: str,
        handlers: EventHandlers,
        consumer: str | None = None,
        max_deliveries: int = 5,
        retry_after_ms: int = 2000,
        block_ms: int = 1000,
        batch: int = 100,
    ) -> None:
        self.client = client
        self.group = group
        self.streams = handlers.streams()
        self.handlers = handlers.by_type()
        self.consumer = consumer or f"{socket.gethostname()}-{os.getpid()}"
        self.max_deliveries = max_deliveries
        self.retry_after_ms = retry_after_ms
        self.block_ms = block_ms
        self.batch = batch
        self.dlq = dead_letter_stream(group)
        self._groups_ready = False

    def ensure_groups(self) -> None:
        """Create the consumer group on each stream, from the stream's beginning."""
        for stream in self.streams:
            try:
                self.client.xgroup_create(stream, self.group, id="0", mkstream=True)
            except redis.ResponseError as exc:
                if "BUSYGROUP" not in str(exc):
                    raise
        self._groups_ready = True

    def run_once(self) -> int:
        """Retry due failures, then read and handle new events. Returns events handled."""
        if not self._groups_ready:
            self.ensure_groups()
        handled = self._retry_pending()
        response: Any = self.client.xreadgroup(
            self.group,
            self.consumer,
            dict.fromkeys(self.streams, ">"),
            count=self.batch,
            block=self.block_ms,
        )
        for stream, messages in response or []:
            for message_id, fields in messages:
                handled += self._handle(_text(stream), _text(message_id), fields, deliveries=1)
        return handled

    def run_forever(self, stop: threading.Event) -> None:
        logger.info("consuming {} as {}/{}", self.streams, self.group, self.consumer)
        while not stop.is_set():
            try:
                self.run_once()
            except (redis.ConnectionError, redis.TimeoutError) as exc:
                logger.warning("event consumer: redis unavailable ({}); retrying", exc)
                self._groups_ready = False
                stop.wait(1.0)

    def _retry_pending(self) -> int:
        handled = 0
        for stream in self.streams:
            pending: Any = self.client.xpending_range(
                stream, self.group, min="-", max="+", count=self.batch, idle=self.retry_after_ms
            )
            for entry in pending:
                message_id = _text(entry["message_id"])
                claimed: Any = self.client.xclaim(
                    stream, self.group, self.consumer, self.retry_after_ms, [message_id]
                )
                for claimed_id, fields in claimed:
                    if fields is None:  # trimmed from the stream meanwhile
                        self.client.xack(stream, self.group, claimed_id)
                        continue
                    deliveries = int(entry["times_delivered"]) + 1
                    handled += self._handle(stream, _text(claimed_id), fields, deliveries)
        return handled

    def _handle(self, stream: str, message_id: str, fields: Any, deliveries: int) -> int:
        try:
            event = Event.from_fields(fields)
        except (KeyError, ValueError, TypeError) as exc:
            self._dead_letter(stream, message_id, fields, f"undecodable event: {exc}", deliveries)
            return 0
        subscribed = self.handlers.get(event.type)
        if subscribed is None:
            self.client.xack(stream, self.group, message_id)
            return 0
        event_class, handler = subscribed
        try:
            handler(event_class.model_validate(event.payload), event)
        except Exception as exc:
            logger.opt(exception=exc).warning(
                "handler for {} failed (delivery {}/{})",
                event.type,
                deliveries,
                self.max_deliveries,
            )
            if deliveries >= self.max_deliveries:
                self._dead_letter(stream, message_id, fields, repr(exc), deliveries)
            return 0
        self.client.xack(stream, self.group, message_id)
        return 1

    def _dead_letter(
        self, stream: str, message_id: str, fields: Any, error: str, deliveries: int
    ) -> None:
        raw = fields.get(b"event", b"") if isinstance(fields, dict) else b""
        pipe = self.client.pipeline(transaction=True)
        pipe.xadd(
            self.dlq,
            {
                "stream": stream,
                "message_id": message_id,
                "error": error[:2000],
                "failed_at": datetime.now(UTC).isoformat(),
                "deliveries": str(deliveries),
                "event": raw,
            },
        )
        pipe.xack(stream, self.group, message_id)
        pipe.execute()
        logger.error("event {} moved to {} after {} deliveries", message_id, self.dlq, deliveries)


def list_dead_letters(client: redis.Redis, group: str, *, count: int = 100) -> list[DeadLetter]:
    """The newest dead-lettered events of ``group``."""
    entries: Any = client.xrevrange(dead_letter_stream(group), count=count)
    letters = []
    for entry_id, fields in entries:
        f = {_text(k): _text(v) for k, v in fields.items()}
        try:
            event = json.loads(f.get("event") or "{}")
        except ValueError:
            event = {"raw": f.get("event")}
        letters.append(
            DeadLetter(
                id=_text(entry_id),
                stream=f.get("stream", ""),
                message_id=f.get("message_id", ""),
                error=f.get("error", ""),
                failed_at=f.get("failed_at", ""),
                deliveries=int(f.get("deliveries", "0")),
                event=event,
            )
        )
    return letters


def run_until_signalled(consumer: EventConsumer) -> None:
    """Run a consumer in the foreground until SIGINT/SIGTERM."""
    import signal

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    while not stop.is_set():
        try:
            consumer.ensure_groups()
            break
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            logger.warning("event consumer: waiting for redis ({})", exc)
            time.sleep(1.0)
    consumer.run_forever(stop)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def run_consumer(
    settings: ServiceSettings,
    *,
    build: Callable[[Engine, RedisHandle], EventConsumer],
    prepare_engine: Callable[[Engine], Engine] = lambda engine: engine,
) -> None:
    """Body of every ``<service>-events`` console entry point: open the service's database
    (``prepare_engine`` adds what the service needs on it), then :func:`serve_events` the
    consumer ``build`` makes, until SIGINT/SIGTERM."""
    engine = prepare_engine(
        create_db_engine(
            settings.database_url,
            busy_timeout_ms=settings.sqlite_busy_timeout_ms,
            pool_size=settings.db_pool_size,
        )
    )
    try:
        serve_events(
            settings,
            name=f"{settings.service_name}-events",
            build=lambda redis: build(engine, redis),
        )
    finally:
        engine.dispose()


def serve_events(
    settings: ServiceSettings, *, name: str, build: Callable[[RedisHandle], EventConsumer]
) -> None:
    """Log, connect, consume until signalled (see :func:`run_consumer`).

    With Redis disabled (empty ``redis_url``) events are disabled, as in the API: the process
    stays up and idle so the stack around it keeps running.
    """
    import signal

    configure_logging(
        service=name,
        level=settings.log_level,
        json_logs=settings.log_json,
        log_dir=settings.log_dir,
        library_level=settings.library_log_level,
    )
    if not settings.redis_url:
        logger.warning("{}: redis_url is empty, events are disabled; idling", name)
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        stop.wait()
        return
    # The socket timeout must exceed the consumer's blocking read.
    redis_handle = RedisHandle(settings.redis_url, socket_timeout=5.0)
    try:
        run_until_signalled(build(redis_handle))
    finally:
        redis_handle.close()
        logger.info("{} stopped", name)
