"""The catalog's event consumer process (``catalog-events``).

Reads the streams of the events :class:`~catalog.events.CatalogEventHandlers` handles (the
listening service's) in consumer group ``catalog``: events published while the process was
stopped are handled when it starts again; an event whose handler keeps failing is moved to
``soundstream:dlq:catalog`` (listed by ``GET /events/dead-letters``).
"""

from __future__ import annotations

from typing import Any

import redis
from sqlalchemy import Engine

from catalog.config import Settings, get_settings
from catalog.db import prepare_engine
from catalog.events import CatalogEventHandlers
from soundstream_common.cache import ResponseCache
from soundstream_common.db import make_session_factory
from soundstream_common.events.consumer import EventConsumer, run_consumer
from soundstream_common.redis import RedisHandle

GROUP = "catalog"


def build_consumer(
    settings: Settings, *, engine: Engine, client: redis.Redis, **options: Any
) -> EventConsumer:
    """A consumer applying the catalog's handlers to ``engine``'s database.

    ``options`` are passed to :class:`EventConsumer` (``max_deliveries``, ``retry_after_ms``,
    ``block_ms`` ...) over the settings' ``events_*``.
    """
    cache = ResponseCache(
        RedisHandle(settings.redis_url, client=client),
        settings.service_name,
        ttl=settings.cache_ttl_seconds,
    )
    handlers = CatalogEventHandlers(make_session_factory(engine), cache)
    return EventConsumer(
        client,
        group=GROUP,
        handlers=handlers,
        **{**settings.consumer_options(), **options},
    )


def run() -> None:
    """Console entry point ``catalog-events``: consume until SIGINT/SIGTERM."""
    settings = get_settings()
    run_consumer(
        settings,
        build=lambda engine, redis: build_consumer(settings, engine=engine, client=redis.client),
        prepare_engine=prepare_engine,
    )
