"""The analytics service's event consumer process (``analytics-events``).

Reads the catalog's and the listening service's streams in the consumer group ``analytics``
and records each event :class:`~analytics.events.AnalyticsEventHandlers` handles: events
published while the process was stopped wait in the group and are recorded when it starts
again; an event whose handler keeps failing goes to the dead-letter stream.
"""

from __future__ import annotations

from sqlalchemy import Engine

from analytics.config import Settings, get_settings
from analytics.events import AnalyticsEventHandlers
from soundstream_common.db import make_session_factory
from soundstream_common.events.consumer import EventConsumer, run_consumer
from soundstream_common.redis import RedisHandle

GROUP = "analytics"


def build_consumer(
    settings: Settings, *, engine: Engine, redis: RedisHandle, name: str | None = None
) -> EventConsumer:
    """The consumer with the analytics handlers, on ``engine`` and ``redis``."""
    return EventConsumer(
        redis.client,
        group=GROUP,
        handlers=AnalyticsEventHandlers(make_session_factory(engine)),
        consumer=name,
        **settings.consumer_options(),
    )


def run() -> None:
    """Console entry point ``analytics-events``: consume until SIGINT/SIGTERM."""
    settings = get_settings()
    run_consumer(
        settings, build=lambda engine, redis: build_consumer(settings, engine=engine, redis=redis)
    )
