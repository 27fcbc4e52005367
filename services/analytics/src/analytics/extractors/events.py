"""The domain events the service followed: each listen change, user and artist created or
deleted, as of when it occurred (recorded by ``analytics-events``, see :mod:`analytics.events`)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import ibis.expr.types as ir

from analytics.framework import RowExtractor


@dataclass(frozen=True)
class DomainEventRow:
    timestamp: datetime.datetime
    """When the event occurred (its producer's commit), UTC."""
    type: str
    """The event's wire type: ``listens.changed``, ``user.deleted``, ``artist.created``..."""
    artist_id: int | None
    """The artist created or deleted."""
    artists: int | None
    """For ``listens.changed``: how many artists' popularity changed."""


class DomainEvents(RowExtractor):
    """Each domain event followed, without the user it names (personal data leaves only
    aggregated)."""

    name = "domain_events"
    row = DomainEventRow
    description = (
        "Each domain event followed (listens changed, users and artists created or deleted): "
        "when it occurred, its type, the artist it names and the artists a listen change "
        "concerned (not who)."
    )

    def extract(self, start: datetime.date, end: datetime.date) -> ir.Table:
        events = self.sources.events
        low = datetime.datetime.combine(start, datetime.time(), datetime.UTC)
        high = datetime.datetime.combine(end, datetime.time(), datetime.UTC)
        in_range = events.filter((events.occurred_at >= low) & (events.occurred_at < high))
        return in_range.select(
            timestamp=in_range.occurred_at,
            type=in_range.type,
            artist_id=in_range.artist_id,
            artists=in_range.artists,
        )
