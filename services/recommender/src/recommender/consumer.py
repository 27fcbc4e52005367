"""The recommender's event consumer process (``recommender-events``).

Reads ``soundstream:events:catalog`` (``artist.deleted``) and ``soundstream:events:listening``
(``user.deleted``, ``listens.changed``) in the consumer group ``recommender``. Events
published while the process was stopped are handled when it starts again; an event whose
handler keeps failing goes to ``soundstream:dlq:recommender``. Between reads (at least once a
second) it checks whether the debounced retrain is due.
"""

from __future__ import annotations

from typing import Any

import redis
from sqlalchemy import Engine

from recommender.celery_app import create_celery
from recommender.config import Settings, get_settings
from recommender.debounce import RetrainDebouncer
from recommender.events import RecommenderEventHandlers
from recommender.hot import bump_exclusions
from recommender.store import ModelStore
from soundstream_common.db import create_db_engine, make_session_factory
from soundstream_common.events import stream_for
from soundstream_common.events.consumer import EventConsumer, serve_events

GROUP = "recommender"
SOURCES = ("catalog", "listening")


class RecommenderConsumer(EventConsumer):
    """An :class:`EventConsumer` that also fires the debounced retrain when it is due."""

    def __init__(self, client: redis.Redis, *, debouncer: RetrainDebouncer, **options: Any):
        super().__init__(client, **options)
        self.debouncer = debouncer

    def run_once(self) -> int:
        handled = super().run_once()
        self.debouncer.tick()
        return handled


def build_consumer(
    settings: Settings,
    *,
    engine: Engine,
    client: redis.Redis,
    debouncer: RetrainDebouncer | None = None,
    **options: Any,
) -> RecommenderConsumer:
    """The consumer with the recommender's handlers on ``engine`` and ``client``.

    ``options`` go to :class:`EventConsumer` (``consumer``, ``block_ms`` ...)."""
    if debouncer is None:
        store = ModelStore(client, settings.key_prefix)
        debouncer = RetrainDebouncer(store, create_celery(settings), settings)
    handlers = RecommenderEventHandlers(
        make_session_factory(engine),
        debouncer,
        lambda: bump_exclusions(client, settings.key_prefix),
    )
    options = {
        "max_deliveries": settings.events_max_deliveries,
        "retry_after_ms": settings.events_retry_after_ms,
        **options,
    }
    return RecommenderConsumer(
        client,
        debouncer=debouncer,
        group=GROUP,
        streams=[stream_for(source) for source in SOURCES],
        handlers=handlers.handlers(),
        **options,
    )


def run() -> None:
    """Console entry point ``recommender-events``: consume until SIGINT/SIGTERM."""
    settings = get_settings()
    engine = create_db_engine(
        settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms
    )
    try:
        serve_events(
            settings,
            name="recommender-events",
            build=lambda redis: build_consumer(settings, engine=engine, client=redis.client),
        )
    finally:
        engine.dispose()
