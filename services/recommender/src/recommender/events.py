"""Handlers of the catalog's and listening service's events (the recommender's side).

- :class:`ArtistDeleted` (catalog) and :class:`UserDeleted` (listening): recorded in
  ``deleted_entities``, then the serving processes are told (the exclusions stamp in Redis);
  from then on no answer cites them, before any retrain.
- :class:`UserDeleted` also removes the user's feedback; :class:`UserCreated` (listening) of
  an id deleted before starts it clean: no longer filtered out, no feedback, and recorded as
  changed (the published model's list was the former user's: the new one is answered from
  their own listens).
- :class:`ListensChanged` (listening): counted towards the debounced retrain; the user (when
  the event names one) is recorded as changed, so their next answer folds their current
  listens into the published model (:mod:`recommender.changes`).

Handlers are idempotent; a payload that does not fit its type is retried and finally
dead-lettered by the consumer.
"""

from __future__ import annotations

from collections.abc import Callable

from loguru import logger
from sqlalchemy.orm import Session, sessionmaker

from recommender.debounce import RetrainDebouncer
from recommender.deletions import forget_deleted, record_deleted
from recommender.services.feedback import forget_user
from soundstream_common.events.contract import (
    ArtistDeleted,
    ListensChanged,
    UserCreated,
    UserDeleted,
)
from soundstream_common.events.handlers import EventHandlers, handles


class RecommenderEventHandlers(EventHandlers):
    """The handlers, bound to the recommender's database and the retrain debouncer."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        debouncer: RetrainDebouncer,
        exclusions_changed: Callable[[], None],
        user_listens_changed: Callable[[int], None] = lambda _user: None,
    ) -> None:
        self.sessions = sessions
        self.debouncer = debouncer
        self.exclusions_changed = exclusions_changed
        self.user_listens_changed = user_listens_changed

    @handles(ArtistDeleted)
    def artist_deleted(self, event: ArtistDeleted) -> None:
        artist_id = event.artist_id
        with self.sessions() as session:
            recorded = record_deleted(session, kind="artist", entity_id=artist_id)
        self.exclusions_changed()  # also on a redelivery: the first signal may have failed
        if recorded:
            logger.info("artist {} deleted: no longer recommended", artist_id)

    @handles(UserDeleted)
    def user_deleted(self, event: UserDeleted) -> None:
        user_id = event.user_id
        with self.sessions() as session:
            recorded = record_deleted(session, kind="user", entity_id=user_id)
            forget_user(session, user_id)
        self.exclusions_changed()
        if recorded:
            logger.info("user {} deleted: no longer served or cited", user_id)

    @handles(UserCreated)
    def user_created(self, event: UserCreated) -> None:
        user_id = event.user_id
        with self.sessions() as session:
            reused = forget_deleted(session, kind="user", entity_id=user_id)
            forget_user(session, user_id)
        if reused:
            self.user_listens_changed(user_id)  # the model's list was the former user's
            self.exclusions_changed()
            logger.info("user {} created again: starts clean", user_id)

    @handles(ListensChanged)
    def listens_changed(self, event: ListensChanged) -> None:
        if event.user_id is not None:
            self.user_listens_changed(event.user_id)
        self.debouncer.record_change()
