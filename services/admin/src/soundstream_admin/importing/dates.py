"""Dates of tag assignments, from either source form, and which of them are valid.

Policy (docs/data.md): every assignment is kept. A date that is not usable for time series is
stored with ``date_valid = False``: it is not a calendar date, cannot be parsed, is the zero
timestamp, or falls outside the window in which Last.fm tags can exist.

- ``day month year`` form: ``timestamp_ms`` is midnight UTC of that date; 0 when the three
  numbers are not a calendar date.
- ``timestamp`` form (milliseconds): the value is kept as given; day, month and year are the
  calendar date in the data set's own time zone. The official release wrote its timestamps at
  local midnight in Madrid (its readme pairs ``1 4 2009`` with ``1238536800000``, which is
  2009-03-31 22:00 UTC), so reading them in UTC would move every tag to the previous day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

# Last.fm was launched in 2002; the data set was collected and released in 2011.
VALID_FROM = date(2002, 1, 1)
VALID_TO = date(2011, 12, 31)
DATASET_TIME_ZONE = ZoneInfo("Europe/Madrid")

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_DAY = _EPOCH.date()
_MS_PER_DAY = 86_400_000
_SMALLINT = range(-(2**15), 2**15)
_INT64 = range(-(2**63), 2**63)


class DateProblem(StrEnum):
    """Why a tag assignment's date is not valid."""

    OUTSIDE_WINDOW = "outside_window"
    NOT_A_CALENDAR_DATE = "not_a_calendar_date"
    UNPARSABLE = "unparsable"
    ZERO_TIMESTAMP = "zero_timestamp"


@dataclass(frozen=True, slots=True)
class TagDate:
    """The stored date fields of one assignment."""

    timestamp_ms: int
    day: int | None
    month: int | None
    year: int | None
    problem: DateProblem | None

    @property
    def valid(self) -> bool:
        return self.problem is None


def _in_window(value: date) -> bool:
    return VALID_FROM <= value <= VALID_TO


def _small(text: str) -> int | None:
    try:
        number = int(text)
    except ValueError:
        return None
    return number if number in _SMALLINT else None


@lru_cache(maxsize=1 << 16)
def from_day_month_year(day: str, month: str, year: str) -> TagDate:
    """Date of a ``user_taggedartists.dat`` row (fields as read from the file)."""
    d, m, y = _small(day), _small(month), _small(year)
    if d is None or m is None or y is None:
        return TagDate(0, d, m, y, DateProblem.UNPARSABLE)
    try:
        value = date(y, m, d)
    except ValueError:
        return TagDate(0, d, m, y, DateProblem.NOT_A_CALENDAR_DATE)
    problem = None if _in_window(value) else DateProblem.OUTSIDE_WINDOW
    return TagDate(midnight_ms(value), d, m, y, problem)


@lru_cache(maxsize=1 << 16)
def from_timestamp_ms(text: str) -> TagDate:
    """Date of a ``user_taggedartists-timestamps.dat`` row (milliseconds since the epoch)."""
    try:
        timestamp = int(text)
    except ValueError:
        return TagDate(0, None, None, None, DateProblem.UNPARSABLE)
    if timestamp not in _INT64:
        return TagDate(0, None, None, None, DateProblem.UNPARSABLE)
    if timestamp == 0:
        return TagDate(0, None, None, None, DateProblem.ZERO_TIMESTAMP)
    try:
        local = (_EPOCH + timedelta(milliseconds=timestamp)).astimezone(DATASET_TIME_ZONE)
    except OverflowError:
        return TagDate(timestamp, None, None, None, DateProblem.NOT_A_CALENDAR_DATE)
    value = local.date()
    problem = None if _in_window(value) else DateProblem.OUTSIDE_WINDOW
    return TagDate(timestamp, value.day, value.month, value.year, problem)


def midnight_ms(value: date) -> int:
    """Midnight UTC of ``value`` in milliseconds since the epoch."""
    return (value - _EPOCH_DAY).days * _MS_PER_DAY


def local_midnight_ms(value: date) -> int:
    """Midnight of ``value`` in the data set's time zone, as the official release wrote it."""
    local = datetime(value.year, value.month, value.day, tzinfo=DATASET_TIME_ZONE)
    return int(local.timestamp()) * 1000
