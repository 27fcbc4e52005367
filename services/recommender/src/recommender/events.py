"""Handlers of the catalog's and listening service's events (the recommender's side).

- ``artist.deleted`` {"artist_id"} (catalog) and ``user.deleted`` {"user_id"} (listening):
  recorded in ``deleted_entities``, then the serving processes are told (the exclusions
  stamp in Redis); from then on no answer cites them, before any retrain.
- ``listens.changed`` (listening): counted towards the debounced retrain.

Handlers are idempotent; a malformed payload raises, so the event is retried and finally
dead-lettered.
"""

from __future__ import annotations

from collections.abc import Callable

from loguru import logger
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session, sessionmaker

from recommender.debounce import RetrainDebouncer
from recommender.deletions import record_deleted
from soundstream_common.events import Event

Handler = Callable[[Event], None]
MAX_ID = 2**31 - 1


class ArtistPayload(BaseModel):
    model_config = ConfigDict(strict=True)

    artist_id: int = Field(ge=1, le=MAX_ID)


class UserPayload(BaseModel):
    model_config = ConfigDict(strict=True)

    user_id: int = Field(ge=1, le=MAX_ID)


class RecommenderEventHandlers:
    """The handlers, bound to the recommender's database and the retrain debouncer."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        debouncer: RetrainDebouncer,
        exclusions_changed: Callable[[], None],
    ) -> None:
        self.sessions = sessions
        self.debouncer = debouncer
        self.exclusions_changed = exclusions_changed

    def handlers(self) -> dict[str, Handler]:
        return {
            "artist.deleted": self.artist_deleted,
            "user.deleted": self.user_deleted,
            "listens.changed": self.listens_changed,
        }

    def artist_deleted(self, event: Event) -> None:
        artist_id = ArtistPayload.model_validate(event.payload).artist_id
        with self.sessions() as session:
            recorded = record_deleted(session, kind="artist", entity_id=artist_id)
        self.exclusions_changed()  # also on a redelivery: the first signal may have failed
        if recorded:
            logger.info("artist {} deleted: no longer recommended", artist_id)

    def user_deleted(self, event: Event) -> None:
        user_id = UserPayload.model_validate(event.payload).user_id
        with self.sessions() as session:
            recorded = record_deleted(session, kind="user", entity_id=user_id)
        self.exclusions_changed()
        if recorded:
            logger.info("user {} deleted: no longer served or cited", user_id)

    def listens_changed(self, event: Event) -> None:
        if not isinstance(event.payload.get("artists"), list):
            raise ValueError("listens.changed without an artists list")
        self.debouncer.record_change()
