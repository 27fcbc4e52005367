"""The listening service's event consumer process (``listening-events``).

Reads the catalog's stream in the consumer group ``listening``: events published while the
process was stopped wait in the group and are handled when it starts again; an event whose
handler keeps failing goes to the dead-letter stream (``GET /events/dead-letters``).
"""

from __future__ import annotations

from sqlalchemy import Engine

from listening.config import Settings, get_settings
from listening.events import make_handlers
from soundstream_common.cache import ResponseCache
from soundstream_common.db import create_db_engine, make_session_factory
from soundstream_common.events import stream_for
from soundstream_common.events.consumer import EventConsumer, serve_events
from soundstream_common.redis import RedisHandle

GROUP = "listening"
SOURCES = ("catalog",)


def build_consumer(
    settings: Settings, *, engine: Engine, redis: RedisHandle, name: str | None = None
) -> EventConsumer:
    """The consumer with the listening handlers, on ``engine`` and ``redis``."""
    cache = ResponseCache(redis, settings.service_name, ttl=settings.cache_ttl_seconds)
    return EventConsumer(
        redis.client,
        group=GROUP,
        streams=[stream_for(source) for source in SOURCES],
        handlers=make_handlers(make_session_factory(engine), cache),
        consumer=name,
        max_deliveries=settings.events_max_deliveries,
        retry_after_ms=settings.events_retry_after_ms,
    )


def run() -> None:
    """Console entry point ``listening-events``: consume until SIGINT/SIGTERM."""
    settings = get_settings()
    engine = create_db_engine(
        settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms
    )
    try:
        serve_events(
            settings,
            name=f"{settings.service_name}-events",
            build=lambda redis: build_consumer(settings, engine=engine, redis=redis),
        )
    finally:
        engine.dispose()
