"""The platform's state: counts of everything, as the exports show it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from analytics.framework import DailyExtractor, differentiated


@dataclass(frozen=True)
class PlatformStateRow:
    day: datetime.date
    users: int = differentiated()
    """Users with a listen or a friendship."""
    listens: int = differentiated()
    """(user, artist) pairs with plays."""
    plays: int = differentiated()
    friendships: int = differentiated()
    """Friendships (each counted once, not per direction)."""
    artists: int = differentiated()
    """Artists of the catalog, placeholders excluded."""
    placeholder_artists: int = differentiated()
    tags: int = differentiated()
    tag_assignments: int = differentiated()


class PlatformStateDaily(DailyExtractor):
    """The state at the end of a day. The exports show only the present, so this writes the
    day a snapshot describes (the day before the run) and never rewrites earlier days."""

    name = "platform_state_daily"
    row = PlatformStateRow
    observes_present = True
    description = (
        "Per day observed: users, listens, plays, friendships, artists, tags and tag "
        "assignments (with a _delta view)."
    )

    def extract(self, start: datetime.date, end: datetime.date) -> ir.Table:
        s = self.sources
        users = (
            s.listens.select("user_id")
            .union(s.friendships.select("user_id"), distinct=True)
            .union(s.friendships.select(user_id="friend_id"), distinct=True)
        )
        listens = s.listens
        row = {
            "users": users.count(),
            "listens": listens.count(),
            "plays": listens.weight.sum().fill_null(0),
            "friendships": s.friendships.filter(
                s.friendships.user_id < s.friendships.friend_id
            ).count(),
            "artists": s.artists.filter(~s.artists.is_placeholder).count(),
            "placeholder_artists": s.artists.filter(s.artists.is_placeholder).count(),
            "tags": s.tags.count(),
            "tag_assignments": s.tag_assignments.count(),
        }
        days = self.calendar(start, end)
        days = days.filter(days.day == ibis.literal(s.as_of))
        return days.mutate(**{name: value.as_scalar().cast("int64") for name, value in row.items()})
