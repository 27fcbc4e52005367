"""Handlers of the catalog's events (idempotent: applying one twice changes nothing more).

- ``artist.created`` {"artist_id"}: the artist becomes known (a listen may name it).
- ``artist.deleted`` {"artist_id"}: the artist is forgotten with every listen of it; the data
  set version is bumped when listens went, and the affected caches are invalidated.
A payload that does not fit raises, so the event is retried and finally dead-lettered.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from loguru import logger
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from listening import caching
from listening.models import ArtistRef, Listen
from listening.schemas import MAX_ID
from listening.service.dataset import bump_dataset_version, lock_dataset
from listening.service.sql import affected_rows
from soundstream_common.cache import ResponseCache
from soundstream_common.events import Event

Handler = Callable[[Event], None]


class ArtistPayload(BaseModel):
    """Payload of ``artist.created`` and ``artist.deleted``."""

    model_config = ConfigDict(strict=True)

    artist_id: int = Field(ge=1, le=MAX_ID)


def artist_created(event: Event, *, sessions: sessionmaker[Session], cache: ResponseCache) -> None:
    artist_id = ArtistPayload.model_validate(event.payload).artist_id
    with sessions() as session:
        if session.get(ArtistRef, artist_id) is not None:
            return
        session.add(ArtistRef(id=artist_id))
        try:
            session.commit()
        except IntegrityError:  # inserted meanwhile by another consumer: already applied
            session.rollback()
            return
    cache.invalidate(caching.ARTIST_ADDED)
    logger.info("artist {} is now known", artist_id)


def artist_deleted(event: Event, *, sessions: sessionmaker[Session], cache: ResponseCache) -> None:
    artist_id = ArtistPayload.model_validate(event.payload).artist_id
    with sessions() as session:
        lock_dataset(session)
        listens = affected_rows(session, delete(Listen).where(Listen.artist_id == artist_id))
        refs = affected_rows(session, delete(ArtistRef).where(ArtistRef.id == artist_id))
        if listens:
            bump_dataset_version(session)
        session.commit()
    if listens:
        cache.invalidate(caching.ALL_GROUPS)
    elif refs:
        cache.invalidate(caching.ARTIST_ADDED)
    logger.info("artist {} forgotten with {} listens", artist_id, listens)


def make_handlers(sessions: sessionmaker[Session], cache: ResponseCache) -> dict[str, Handler]:
    """The listening service's handlers, by event type."""
    return {
        "artist.created": partial(artist_created, sessions=sessions, cache=cache),
        "artist.deleted": partial(artist_deleted, sessions=sessions, cache=cache),
    }
