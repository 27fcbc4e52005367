"""The recommender's event consumer process (``recommender-events``).

Reads the streams of the events :class:`~recommender.events.RecommenderEventHandlers`
handles (the catalog's :class:`ArtistDeleted`; the listening service's :class:`UserCreated`,
:class:`UserDeleted` and :class:`ListensChanged`: the user's next answer folds their listens
in) in the consumer group ``recommender``. Events published while the process was stopped are
handled when it starts again; an event whose handler keeps failing goes to
``soundstream:dlq:recommender``. Between reads (at least once a
second) it checks whether the debounced retrain is due.
"""

from __future__ import annotations

from typing import Any

import redis
from sqlalchemy import Engine

from recommender.cache import bump_exclusions
from recommender.changes import mark_changed
from recommender.config import Settings, get_settings
from recommender.debounce import RetrainDebouncer
from recommender.events import RecommenderEventHandlers
from recommender.serving.store import ModelStore
from recommender.training.jobs import create_jobs
from soundstream_common.db import make_session_factory
from soundstream_common.events.consumer import EventConsumer, run_consumer

GROUP = "recommender"


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
        training = create_jobs(settings, engine).training
        debouncer = RetrainDebouncer(store, training, settings)
    handlers = RecommenderEventHandlers(
        make_session_factory(engine),
        debouncer,
        lambda: bump_exclusions(client, settings.key_prefix),
        lambda user_id: mark_changed(client, settings.key_prefix, user_id),
    )
    return RecommenderConsumer(
        client,
        debouncer=debouncer,
        group=GROUP,
        handlers=handlers,
        **{**settings.consumer_options(), **options},
    )


def run() -> None:
    """Console entry point ``recommender-events``: consume until SIGINT/SIGTERM."""
    settings = get_settings()
    run_consumer(
        settings,
        build=lambda engine, redis: build_consumer(settings, engine=engine, client=redis.client),
    )
