"""The listening service's event consumer process (``listening-events``).

Reads the streams of the events :class:`~listening.events.ListeningEventHandlers` handles
(the catalog's) in the consumer group ``listening``: events published while the process was
stopped wait in the group and are handled when it starts again; an event whose handler keeps
failing goes to the dead-letter stream (``GET /events/dead-letters``).
"""

from __future__ import annotations

from sqlalchemy import Engine

from listening.config import Settings, get_settings
from listening.events import ListeningEventHandlers
from soundstream_common.cache import ResponseCache
from soundstream_common.db import make_session_factory
from soundstream_common.events.consumer import EventConsumer, run_consumer
from soundstream_common.redis import RedisHandle

GROUP = "listening"


def build_consumer(
    settings: Settings, *, engine: Engine, redis: RedisHandle, name: str | None = None
) -> EventConsumer:
    """The consumer with the listening handlers, on ``engine`` and ``redis``."""
    cache = ResponseCache(redis, settings.service_name, ttl=settings.cache_ttl_seconds)
    return EventConsumer(
        redis.client,
        group=GROUP,
        handlers=ListeningEventHandlers(make_session_factory(engine), cache),
        consumer=name,
        **settings.consumer_options(),
    )


def run() -> None:
    """Console entry point ``listening-events``: consume until SIGINT/SIGTERM."""
    settings = get_settings()
    run_consumer(
        settings, build=lambda engine, redis: build_consumer(settings, engine=engine, redis=redis)
    )
