"""Tag assignments: who tagged which artist with what, and when."""

from __future__ import annotations

from dataclasses import asdict, astuple, dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from catalog import cache as groups
from catalog.exceptions import (
    ArtistNotFoundError,
    DuplicateTagAssignmentError,
    TagAssignmentNotFoundError,
    TagNotFoundError,
    UnknownUserError,
)
from catalog.models import Artist, Tag, TagAssignment, UserRef
from catalog.schemas.assignments import TagAssignmentCreate, TagAssignmentRead
from catalog.services.queries import DateRange, midnight_ms, valid_dates
from catalog.services.writes import commit_write
from soundstream_common.cache import ResponseCache
from soundstream_common.pagination import Page, PageParams


@dataclass(frozen=True)
class AssignmentKey:
    user_id: int
    artist_id: int
    tag_id: int
    timestamp_ms: int


@dataclass(frozen=True)
class AssignmentFilter:
    user_id: int | None = None
    artist_id: int | None = None
    tag_id: int | None = None
    dates: DateRange = field(default_factory=DateRange)


def _read(row: TagAssignment) -> TagAssignmentRead:
    day = None
    if row.year is not None and row.month is not None and row.day is not None:
        try:
            day = date(row.year, row.month, row.day)
        except ValueError:
            day = None
    return TagAssignmentRead(
        user_id=row.user_id,
        artist_id=row.artist_id,
        tag_id=row.tag_id,
        timestamp_ms=row.timestamp_ms,
        date=day,
        date_valid=row.date_valid,
    )


def list_assignments(
    session: Session, *, filters: AssignmentFilter, page: PageParams
) -> Page[TagAssignmentRead]:
    """Assignments matching every given filter, in key order. A date range keeps only
    assignments with a valid date inside it."""
    where = [
        column == value
        for column, value in (
            (TagAssignment.user_id, filters.user_id),
            (TagAssignment.artist_id, filters.artist_id),
            (TagAssignment.tag_id, filters.tag_id),
        )
        if value is not None
    ]
    if filters.dates.bounded:
        where.extend(valid_dates(filters.dates))
    total = session.execute(
        select(func.count()).select_from(TagAssignment).where(*where)
    ).scalar_one()
    rows = session.scalars(
        select(TagAssignment)
        .where(*where)
        .order_by(
            TagAssignment.user_id,
            TagAssignment.artist_id,
            TagAssignment.tag_id,
            TagAssignment.timestamp_ms,
        )
        .limit(page.limit)
        .offset(page.offset)
    ).all()
    return page.page([_read(row) for row in rows], total)


def get_assignment(session: Session, *, key: AssignmentKey) -> TagAssignmentRead:
    row = session.get(TagAssignment, (key.user_id, key.artist_id, key.tag_id, key.timestamp_ms))
    if row is None:
        raise TagAssignmentNotFoundError("No such tag assignment.", **asdict(key))
    return _read(row)


def create_assignment(
    session: Session, *, data: TagAssignmentCreate, cache: ResponseCache
) -> TagAssignmentRead:
    """Record that a known user applied an existing tag to an existing artist on a day."""
    if session.get(UserRef, data.user_id) is None:
        raise UnknownUserError(f"User {data.user_id} is not known.", user_id=data.user_id)
    if session.get(Artist, data.artist_id) is None:
        raise ArtistNotFoundError(
            f"Artist {data.artist_id} does not exist.", artist_id=data.artist_id
        )
    if session.get(Tag, data.tag_id) is None:
        raise TagNotFoundError(f"Tag {data.tag_id} does not exist.", tag_id=data.tag_id)
    day = data.date or datetime.now(UTC).date()
    key = AssignmentKey(data.user_id, data.artist_id, data.tag_id, midnight_ms(day))

    def refuse_duplicate() -> None:
        if session.get(TagAssignment, astuple(key)) is not None:
            raise DuplicateTagAssignmentError(
                "The user already applied this tag to this artist on that day.", **asdict(key)
            )

    refuse_duplicate()
    row = TagAssignment(**asdict(key), day=day.day, month=day.month, year=day.year, date_valid=True)
    session.add(row)
    commit_write(
        session,
        cache=cache,
        groups=groups.ON_ASSIGNMENTS,
        explain_conflict=refuse_duplicate,
    )
    return _read(row)


def delete_assignment(session: Session, *, key: AssignmentKey, cache: ResponseCache) -> None:
    get_assignment(session, key=key)
    session.execute(
        delete(TagAssignment).where(
            TagAssignment.user_id == key.user_id,
            TagAssignment.artist_id == key.artist_id,
            TagAssignment.tag_id == key.tag_id,
            TagAssignment.timestamp_ms == key.timestamp_ms,
        )
    )
    commit_write(session, cache=cache, groups=groups.ON_ASSIGNMENTS)
