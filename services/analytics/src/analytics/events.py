"""Handlers of the domain events the warehouse follows: each is recorded in ``event_log`` with
the time it occurred (idempotent: a redelivered event is recorded once).

- :class:`ListensChanged`: the user whose listen was written (if one) and how many artists'
  popularity changed;
- :class:`UserCreated`, :class:`UserDeleted`: the user;
- :class:`ArtistCreated`, :class:`ArtistDeleted`: the artist.

The ``domain_events`` extractor (:mod:`analytics.extractors.events`) exports them per day.
"""

from __future__ import annotations

import datetime

from loguru import logger
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from analytics.models import EventRecord
from soundstream_common.events import Event
from soundstream_common.events.contract import (
    ArtistCreated,
    ArtistDeleted,
    ListensChanged,
    UserCreated,
    UserDeleted,
)
from soundstream_common.events.handlers import EventHandlers, handles


class AnalyticsEventHandlers(EventHandlers):
    """The analytics service's handlers, bound to its database."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    @handles(ListensChanged, envelope=True)
    def listens_changed(self, event: ListensChanged, envelope: Event) -> None:
        self._record(envelope, user_id=event.user_id, artists=len(event.artists))

    @handles(UserCreated, envelope=True)
    def user_created(self, event: UserCreated, envelope: Event) -> None:
        self._record(envelope, user_id=event.user_id)

    @handles(UserDeleted, envelope=True)
    def user_deleted(self, event: UserDeleted, envelope: Event) -> None:
        self._record(envelope, user_id=event.user_id)

    @handles(ArtistCreated, envelope=True)
    def artist_created(self, event: ArtistCreated, envelope: Event) -> None:
        self._record(envelope, artist_id=event.artist_id)

    @handles(ArtistDeleted, envelope=True)
    def artist_deleted(self, event: ArtistDeleted, envelope: Event) -> None:
        self._record(envelope, artist_id=event.artist_id)

    def _record(
        self,
        envelope: Event,
        *,
        user_id: int | None = None,
        artist_id: int | None = None,
        artists: int | None = None,
    ) -> None:
        occurred_at = datetime.datetime.fromisoformat(envelope.occurred_at)
        if occurred_at.tzinfo is None:
            occurred_at = occurred_at.replace(tzinfo=datetime.UTC)
        with self.sessions() as session:
            if session.get(EventRecord, envelope.id) is not None:
                return
            session.add(
                EventRecord(
                    id=envelope.id,
                    type=envelope.type,
                    occurred_at=occurred_at,
                    user_id=user_id,
                    artist_id=artist_id,
                    artists=artists,
                )
            )
            try:
                session.commit()
            except IntegrityError:  # recorded meanwhile by another consumer
                session.rollback()
                return
        logger.debug("recorded {} {} of {}", envelope.type, envelope.id, occurred_at)
