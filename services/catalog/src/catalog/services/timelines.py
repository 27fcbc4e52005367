"""Tag assignments over time (valid dates only), per month or per year."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from catalog.models import Tag, TagAssignment
from catalog.schemas.common import Granularity, Timeline, TimelinePoint
from catalog.schemas.tags import TagTimeline
from catalog.services.queries import DateRange, valid_dates


def _points(
    session: Session, *, granularity: Granularity, date_range: DateRange, tag_id: int | None
) -> list[TimelinePoint]:
    year, month = TagAssignment.year, TagAssignment.month
    keys = [year] if granularity is Granularity.year else [year, month]
    where = valid_dates(date_range)
    if tag_id is not None:
        where.append(TagAssignment.tag_id == tag_id)
    rows: list[Any] = list(
        session.execute(select(*keys, func.count()).where(*where).group_by(*keys)).all()
    )
    monthly = granularity is Granularity.month
    counts = {(int(row[0]), int(row[1]) if monthly else 1): int(row[-1]) for row in rows}
    if not counts:
        return []
    return [
        TimelinePoint(
            period=f"{y:04d}-{m:02d}" if monthly else f"{y:04d}", count=counts.get((y, m), 0)
        )
        for y, m in _periods(min(counts), max(counts), monthly=monthly)
    ]


def _periods(
    first: tuple[int, int], last: tuple[int, int], *, monthly: bool
) -> Iterator[tuple[int, int]]:
    """Every (year, month) from ``first`` to ``last``; month is always 1 for years."""
    year, month = first
    while (year, month) <= last:
        yield year, month
        if not monthly or month == 12:
            year, month = year + 1, 1
        else:
            month += 1


def global_timeline(
    session: Session, *, granularity: Granularity, date_range: DateRange
) -> Timeline:
    points = _points(session, granularity=granularity, date_range=date_range, tag_id=None)
    return Timeline(
        granularity=granularity,
        from_date=date_range.start,
        to_date=date_range.end,
        total=sum(p.count for p in points),
        points=points,
    )


def tag_timeline(
    session: Session, *, tag: Tag, granularity: Granularity, date_range: DateRange
) -> TagTimeline:
    points = _points(session, granularity=granularity, date_range=date_range, tag_id=tag.id)
    return TagTimeline(
        tag_id=tag.id,
        value=tag.value,
        granularity=granularity,
        from_date=date_range.start,
        to_date=date_range.end,
        total=sum(p.count for p in points),
        points=points,
    )
