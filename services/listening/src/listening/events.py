"""Handlers of the catalog's events (idempotent: applying one twice changes nothing more).

- :class:`ArtistCreated`: the artist becomes known (a listen may name it).
- :class:`ArtistDeleted`: the artist is forgotten with every listen of it; the data set
  version is bumped when listens went, and the affected caches are invalidated.
A payload that does not fit its type is retried and finally dead-lettered by the consumer.
"""

from __future__ import annotations

from loguru import logger
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from listening.cache import ALL_GROUPS, ARTIST_ADDED
from listening.models import ArtistRef, Listen
from listening.services.dataset import bump_dataset_version, lock_dataset
from listening.services.sql import affected_rows
from soundstream_common.cache import ResponseCache
from soundstream_common.events.contract import ArtistCreated, ArtistDeleted
from soundstream_common.events.handlers import EventHandlers, handles


class ListeningEventHandlers(EventHandlers):
    """The listening service's handlers, bound to its database and response cache."""

    def __init__(self, sessions: sessionmaker[Session], cache: ResponseCache) -> None:
        self.sessions = sessions
        self.cache = cache

    @handles(ArtistCreated)
    def artist_created(self, event: ArtistCreated) -> None:
        with self.sessions() as session:
            if session.get(ArtistRef, event.artist_id) is not None:
                return
            session.add(ArtistRef(id=event.artist_id))
            try:
                session.commit()
            except IntegrityError:  # inserted meanwhile by another consumer: already applied
                session.rollback()
                return
        self.cache.invalidate(ARTIST_ADDED)
        logger.info("artist {} is now known", event.artist_id)

    @handles(ArtistDeleted)
    def artist_deleted(self, event: ArtistDeleted) -> None:
        artist_id = event.artist_id
        with self.sessions() as session:
            lock_dataset(session)
            listens = affected_rows(session, delete(Listen).where(Listen.artist_id == artist_id))
            refs = affected_rows(session, delete(ArtistRef).where(ArtistRef.id == artist_id))
            if listens:
                bump_dataset_version(session)
            session.commit()
        if listens:
            self.cache.invalidate(ALL_GROUPS)
        elif refs:
            self.cache.invalidate(ARTIST_ADDED)
        logger.info("artist {} forgotten with {} listens", artist_id, listens)
