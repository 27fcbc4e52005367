"""Handlers of the listening service's events (the catalog's side of the event contract).

- ``user.created`` {"user_id"}: know the user (no-op when already known).
- ``user.deleted`` {"user_id"}: forget the user; its tag assignments go by cascade.
- ``listens.changed`` {"artists": [{"artist_id", "listeners", "plays"}]}: store the absolute
  popularity of each artist the catalog has.

Each handler commits its own transaction, then invalidates the cache groups it changed.
All are idempotent; a malformed payload raises, so the consumer retries and finally
dead-letters it.
"""

from __future__ import annotations

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session, sessionmaker

from catalog import cache as groups
from catalog.schemas.common import MAX_ID
from catalog.services import replication
from soundstream_common.cache import ResponseCache
from soundstream_common.db import session_scope
from soundstream_common.events import Event
from soundstream_common.events.consumer import Handler


class UserPayload(BaseModel):
    user_id: int = Field(ge=1, le=MAX_ID)


class ArtistPopularityPayload(BaseModel):
    artist_id: int = Field(ge=1, le=MAX_ID)
    listeners: int = Field(ge=0)
    plays: int = Field(ge=0)


class ListensChangedPayload(BaseModel):
    artists: list[ArtistPopularityPayload]


class CatalogEventHandlers:
    """The catalog's event handlers, bound to its database and response cache."""

    def __init__(self, sessions: sessionmaker[Session], cache: ResponseCache) -> None:
        self.sessions = sessions
        self.cache = cache

    def handlers(self) -> dict[str, Handler]:
        return {
            "user.created": self.user_created,
            "user.deleted": self.user_deleted,
            "listens.changed": self.listens_changed,
        }

    def user_created(self, event: Event) -> None:
        payload = UserPayload.model_validate(event.payload)
        with session_scope(self.sessions) as session:
            replication.add_user(session, user_id=payload.user_id)

    def user_deleted(self, event: Event) -> None:
        payload = UserPayload.model_validate(event.payload)
        with session_scope(self.sessions) as session:
            removed = replication.remove_user(session, user_id=payload.user_id)
        if removed:
            self.cache.invalidate(groups.ON_ASSIGNMENTS)

    def listens_changed(self, event: Event) -> None:
        payload = ListensChangedPayload.model_validate(event.payload)
        rows = [replication.Popularity(a.artist_id, a.listeners, a.plays) for a in payload.artists]
        with session_scope(self.sessions) as session:
            written = replication.set_popularity(session, rows=rows)
        if written:
            self.cache.invalidate(groups.ON_POPULARITY)
