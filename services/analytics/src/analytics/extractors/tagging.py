"""Tagging activity: per day, per tag and per day, and each assignment."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from analytics.framework import DailyExtractor, RowExtractor, differentiated


@dataclass(frozen=True)
class TagActivityRow:
    day: datetime.date
    assignments: int
    taggers: int
    """Distinct users who tagged that day."""
    new_tags: int
    """Tags used for the first time that day."""
    new_artists: int
    """Artists tagged for the first time that day."""
    new_taggers: int
    """Users who tagged for the first time that day."""
    total_assignments: int = differentiated()
    """Assignments dated up to and including that day."""
    total_taggers: int = differentiated()
    """Users who had tagged by that day."""


def _firsts(assignments: ir.Table, key: str) -> ir.Table:
    """Per ``key``, the day it first appears."""
    return assignments.group_by(key).aggregate(first=assignments.day.min())


class TagActivityDaily(DailyExtractor):
    name = "tag_activity_daily"
    row = TagActivityRow
    description = (
        "Per day: tag assignments, distinct taggers, tags, artists and taggers seen for the "
        "first time, and the running totals (with a _delta view)."
    )

    def extract(self, start: datetime.date, end: datetime.date) -> ir.Table:
        dated = self.sources.tag_assignments.filter(lambda t: t.day.notnull())
        in_range = dated.filter((dated.day >= start) & (dated.day < end))
        per_day = in_range.group_by("day").aggregate(
            assignments=in_range.count(), taggers=in_range.user_id.nunique()
        )
        counts = {}
        for column, key in (("new_tags", "tag_id"), ("new_artists", "artist_id")):
            firsts = _firsts(dated, key)
            firsts = firsts.filter((firsts.first >= start) & (firsts.first < end))
            counts[column] = firsts.group_by(day=firsts.first).aggregate(**{column: firsts.count()})
        users = _firsts(dated, "user_id")
        new_users = users.filter((users.first >= start) & (users.first < end))
        counts["new_taggers"] = new_users.group_by(day=new_users.first).aggregate(
            new_taggers=new_users.count()
        )
        before = dated.filter(dated.day < start)
        assignments_before = before.count()
        taggers_before = users.filter(users.first < start).count()
        days = self.calendar(start, end)
        joined = days.left_join(per_day, "day").drop("day_right")
        for table in counts.values():
            joined = joined.left_join(table, "day").drop("day_right")
        filled = joined.mutate(
            assignments=joined.assignments.fill_null(0),
            taggers=joined.taggers.fill_null(0),
            new_tags=joined.new_tags.fill_null(0),
            new_artists=joined.new_artists.fill_null(0),
            new_taggers=joined.new_taggers.fill_null(0),
        )
        running = ibis.cumulative_window(order_by=filled.day)
        return filled.select(
            "day",
            "assignments",
            "taggers",
            "new_tags",
            "new_artists",
            "new_taggers",
            total_assignments=assignments_before.as_scalar()
            + filled.assignments.sum().over(running),
            total_taggers=taggers_before.as_scalar() + filled.new_taggers.sum().over(running),
        )


@dataclass(frozen=True)
class TagUsageRow:
    timestamp: datetime.datetime
    """Midnight (UTC) of the day."""
    tag: str
    assignments: int
    artists: int
    taggers: int


class TagUsageDaily(RowExtractor):
    """Per tag and day it was used: one row each, stamped at the day's midnight."""

    name = "tag_usage_daily"
    row = TagUsageRow
    description = "Per tag and day it was used: assignments, distinct artists and taggers."

    def extract(self, start: datetime.date, end: datetime.date) -> ir.Table:
        a = self.sources.tag_assignments
        a = a.filter(a.day.notnull() & (a.day >= start) & (a.day < end))
        # Distinct counts as plain groupings (what a hash aggregate can spill), on integer keys,
        # the tag named after: the memory of the x50 backfill stays bounded.
        day_tag = ["timestamp", "tag_id"]
        per_artist = a.group_by(*day_tag, "artist_id").aggregate(n=a.count())
        by_artists = per_artist.group_by(day_tag).aggregate(
            assignments=per_artist.n.sum(), artists=per_artist.count()
        )
        per_user = a.select(*day_tag, "user_id").distinct()
        by_users = per_user.group_by(day_tag).aggregate(taggers=per_user.count())
        usage = by_artists.join(by_users, day_tag)
        tags = self.sources.tags
        named = usage.join(tags, usage.tag_id == tags.id)
        return named.select("timestamp", "assignments", "artists", "taggers", tag=named.value)


@dataclass(frozen=True)
class TagAssignmentEventRow:
    timestamp: datetime.datetime
    artist_id: int
    artist: str | None
    tag_id: int
    tag: str


class TagAssignmentEvents(RowExtractor):
    """Each dated tag assignment, without who made it (personal data leaves only aggregated)."""

    name = "tag_assignment_events"
    row = TagAssignmentEventRow
    description = "Each dated tag assignment: when, which artist, which tag (not who)."

    def extract(self, start: datetime.date, end: datetime.date) -> ir.Table:
        return _assignments(self, start, end).select(*self.schema().names)


@dataclass(frozen=True)
class TagAssignmentByUserRow:
    timestamp: datetime.datetime
    user_id: int
    artist_id: int
    tag_id: int


class TagAssignmentEventsByUser(RowExtractor):
    """Each dated tag assignment with its user: exported only where a setting allows it."""

    name = "tag_assignment_events_by_user"
    row = TagAssignmentByUserRow
    personal = True
    description = "Each dated tag assignment with the user who made it (personal data)."

    def extract(self, start: datetime.date, end: datetime.date) -> ir.Table:
        a = self.sources.tag_assignments
        a = a.filter(a.day.notnull() & (a.day >= start) & (a.day < end))
        return a.select("timestamp", "user_id", "artist_id", "tag_id")


def _assignments(extractor: RowExtractor, start: datetime.date, end: datetime.date) -> ir.Table:
    a = extractor.sources.tag_assignments
    a = a.filter(a.day.notnull() & (a.day >= start) & (a.day < end))
    tags = extractor.sources.tags.select(tag_id="id", tag="value")
    artists = extractor.sources.artists.select(artist_id="id", artist="name")
    return a.join(tags, "tag_id").left_join(artists, "artist_id").drop("artist_id_right")
