"""Handlers of the listening service's events (the catalog's side of the event contract).

- :class:`UserCreated`: know the user (no-op when already known).
- :class:`UserDeleted`: forget the user; its tag assignments go by cascade.
- :class:`ListensChanged`: store the absolute popularity of each artist the catalog has.

Each handler commits its own transaction, then invalidates the cache groups it changed.
All are idempotent; a payload that does not fit its type is retried and finally
dead-lettered by the consumer.
"""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from catalog import cache as groups
from catalog.services import replication
from soundstream_common.cache import ResponseCache
from soundstream_common.db import session_scope
from soundstream_common.events.contract import ListensChanged, UserCreated, UserDeleted
from soundstream_common.events.handlers import EventHandlers, handles


class CatalogEventHandlers(EventHandlers):
    """The catalog's event handlers, bound to its database and response cache."""

    def __init__(self, sessions: sessionmaker[Session], cache: ResponseCache) -> None:
        self.sessions = sessions
        self.cache = cache

    @handles(UserCreated)
    def user_created(self, event: UserCreated) -> None:
        with session_scope(self.sessions) as session:
            replication.add_user(session, user_id=event.user_id)

    @handles(UserDeleted)
    def user_deleted(self, event: UserDeleted) -> None:
        with session_scope(self.sessions) as session:
            removed = replication.remove_user(session, user_id=event.user_id)
        if removed:
            self.cache.invalidate(groups.ON_ASSIGNMENTS)

    @handles(ListensChanged)
    def listens_changed(self, event: ListensChanged) -> None:
        rows = [replication.Popularity(a.artist_id, a.listeners, a.plays) for a in event.artists]
        with session_scope(self.sessions) as session:
            written = replication.set_popularity(session, rows=rows)
        if written:
            self.cache.invalidate(groups.ON_POPULARITY)
