"""Expressions and filters several services share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Integer, cast, func
from sqlalchemy.sql.elements import ColumnElement

from catalog.models import ArtistPopularity, TagAssignment

DAY_MS = 86_400_000
_EPOCH = date(1970, 1, 1)


def listeners_col() -> ColumnElement[int]:
    """Distinct listeners of the outer-joined artist (0 without popularity data)."""
    return func.coalesce(ArtistPopularity.listeners, 0)


def plays_col() -> ColumnElement[int]:
    """Total plays of the outer-joined artist (0 without popularity data)."""
    return func.coalesce(ArtistPopularity.plays, 0)


def midnight_ms(value: date) -> int:
    """Midnight UTC of ``value`` in milliseconds since the epoch."""
    return (value - _EPOCH).days * DAY_MS


def date_key(value: date) -> int:
    """``value`` as the integer ``YYYYMMDD``."""
    return value.year * 10_000 + value.month * 100 + value.day


def key_date(key: int | None) -> date | None:
    """The date of a ``YYYYMMDD`` integer."""
    return None if key is None else date(key // 10_000, key // 100 % 100, key % 100)


def day_key_col() -> ColumnElement[int]:
    """An assignment's stored calendar day as ``YYYYMMDD`` (meaningful for valid dates)."""
    # Widened first: year * 10000 overflows the SMALLINT columns on PostgreSQL.
    year, month, day = (
        cast(column, Integer)
        for column in (TagAssignment.year, TagAssignment.month, TagAssignment.day)
    )
    return year * 10_000 + month * 100 + day


@dataclass(frozen=True)
class DateRange:
    """Inclusive calendar-day bounds; either may be open."""

    start: date | None = None
    end: date | None = None

    @property
    def bounded(self) -> bool:
        return self.start is not None or self.end is not None


def valid_dates(date_range: DateRange | None = None) -> list[ColumnElement[bool]]:
    """Filters keeping assignments with a valid date inside ``date_range``.

    Days are compared on the stored calendar date (``year``, ``month``, ``day``). The
    ``timestamp_ms`` bounds, a day wider on each side, only let the database use its
    timestamp indexes: a source timestamp may sit a few hours before its calendar day in UTC.
    """
    date_range = date_range or DateRange()
    conditions: list[ColumnElement[bool]] = [TagAssignment.date_valid.is_(True)]
    day_key = day_key_col()
    if date_range.start is not None:
        conditions.append(TagAssignment.timestamp_ms >= midnight_ms(date_range.start) - DAY_MS)
        conditions.append(day_key >= date_key(date_range.start))
    if date_range.end is not None:
        conditions.append(TagAssignment.timestamp_ms < midnight_ms(date_range.end) + 2 * DAY_MS)
        conditions.append(day_key <= date_key(date_range.end))
    return conditions


def within(date_range: DateRange | None) -> list[ColumnElement[bool]]:
    """The filters of a statistic's optional ``from``/``to``: none when the range is open,
    else :func:`valid_dates` (then only validly dated assignments count)."""
    return valid_dates(date_range) if date_range is not None and date_range.bounded else []
