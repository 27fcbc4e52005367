"""Tags: listing and search, detail with usage, writes, lookup by value."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import Session

from catalog import cache as groups
from catalog.exceptions import DuplicateTagError, TagInUseError, TagNotFoundError
from catalog.models import Tag, TagAssignment
from catalog.names import like_pattern
from catalog.schemas.tags import TagDetail, TagRead, TagSort
from catalog.services.queries import day_key_col, key_date, valid_dates
from catalog.services.writes import commit_write
from soundstream_common.cache import ResponseCache
from soundstream_common.pagination import Page, PageParams


def list_tags(session: Session, *, q: str | None, sort: TagSort, page: PageParams) -> Page[TagRead]:
    """Tags whose value contains ``q`` (any letter case), by name or by usage."""
    where = [] if q is None else [func.lower(Tag.value).like(like_pattern(q.lower()), "\\")]
    total = session.execute(select(func.count()).select_from(Tag).where(*where)).scalar_one()
    if sort is TagSort.usage:
        usage = (
            select(TagAssignment.tag_id, func.count().label("n"))
            .group_by(TagAssignment.tag_id)
            .subquery()
        )
        n = func.coalesce(usage.c.n, 0)
        rows = session.execute(
            select(Tag.id, Tag.value, n)
            .outerjoin(usage, usage.c.tag_id == Tag.id)
            .where(*where)
            .order_by(n.desc(), Tag.id)
            .limit(page.limit)
            .offset(page.offset)
        ).all()
        return page.page([TagRead(id=i, value=v, assignments=c) for i, v, c in rows], total)
    tags = session.execute(
        select(Tag.id, Tag.value)
        .where(*where)
        .order_by(Tag.value, Tag.id)
        .limit(page.limit)
        .offset(page.offset)
    ).all()
    counts = usage_counts(session, tag_ids=[tag_id for tag_id, _ in tags])
    items = [TagRead(id=i, value=v, assignments=counts.get(i, 0)) for i, v in tags]
    return page.page(items, total)


def usage_counts(session: Session, *, tag_ids: Iterable[int]) -> dict[int, int]:
    """Assignments per tag, for the given tags."""
    ids = list(tag_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(TagAssignment.tag_id, func.count())
        .where(TagAssignment.tag_id.in_(ids))
        .group_by(TagAssignment.tag_id)
    ).all()
    return {tag_id: int(n) for tag_id, n in rows}


def get_tag(session: Session, *, tag_id: int) -> Tag:
    tag = session.get(Tag, tag_id)
    if tag is None:
        raise TagNotFoundError(f"Tag {tag_id} does not exist.", tag_id=tag_id)
    return tag


def tag_detail(session: Session, *, tag: Tag) -> TagDetail:
    """The tag with its usage: assignments, distinct artists and users, first and last use."""
    tag_id = tag.id
    assignments, artists, users = session.execute(
        select(
            func.count(),
            func.count(TagAssignment.artist_id.distinct()),
            func.count(TagAssignment.user_id.distinct()),
        ).where(TagAssignment.tag_id == tag_id)
    ).one()
    day_key = day_key_col()
    first, last = session.execute(
        select(func.min(day_key), func.max(day_key)).where(
            TagAssignment.tag_id == tag_id, *valid_dates()
        )
    ).one()
    return TagDetail(
        id=tag.id,
        value=tag.value,
        assignments=assignments,
        artists=artists,
        users=users,
        first_used=key_date(first),
        last_used=key_date(last),
    )


def find_by_values(session: Session, *, values: Iterable[str]) -> dict[str, list[Tag]]:
    """Tags named by ``values`` regardless of letter case, keyed by the lower-cased value.

    Values stored exactly as asked (the usual case) are found through the unique index;
    only the others need the case-insensitive scan. Tag values are unique regardless of
    case (creates and renames enforce it), so each value names at most one tag in practice.
    """
    asked = list(values)
    found: dict[str, list[Tag]] = {}
    for tag in session.scalars(select(Tag).where(Tag.value.in_(asked))):
        found.setdefault(tag.value.lower(), []).append(tag)
    missing = {value.lower() for value in asked} - found.keys()
    if missing:
        for tag in session.scalars(select(Tag).where(func.lower(Tag.value).in_(missing))):
            found.setdefault(tag.value.lower(), []).append(tag)
    return found


def _ensure_unique(session: Session, value: str, *, except_id: int | None = None) -> None:
    clash = select(Tag.id).where(func.lower(Tag.value) == value.lower())
    if except_id is not None:
        clash = clash.where(Tag.id != except_id)
    existing = session.execute(clash.limit(1)).scalar_one_or_none()
    if existing is not None:
        raise DuplicateTagError(f"A tag {value!r} already exists (id {existing}).", tag_id=existing)


def create_tag(session: Session, *, value: str, cache: ResponseCache) -> TagRead:
    _ensure_unique(session, value)
    tag = Tag(value=value)
    session.add(tag)
    commit_write(
        session,
        cache=cache,
        groups=groups.ON_TAGS,
        explain_conflict=lambda: _ensure_unique(session, value),
    )
    return TagRead(id=tag.id, value=tag.value, assignments=0)


def rename_tag(session: Session, *, tag: Tag, value: str, cache: ResponseCache) -> TagRead:
    tag_id = tag.id
    _ensure_unique(session, value, except_id=tag_id)
    tag.value = value
    commit_write(
        session,
        cache=cache,
        groups=groups.ON_TAGS,
        explain_conflict=lambda: _ensure_unique(session, value, except_id=tag_id),
    )
    counts = usage_counts(session, tag_ids=[tag_id])
    return TagRead(id=tag_id, value=value, assignments=counts.get(tag_id, 0))


def delete_tag(session: Session, *, tag: Tag, force: bool, cache: ResponseCache) -> None:
    """Delete the tag; refused while artists carry it unless ``force`` (which deletes its
    assignments too)."""
    tag_id = tag.id
    if not force:
        in_use = session.execute(
            select(exists().where(TagAssignment.tag_id == tag_id))
        ).scalar_one()
        if in_use:
            raise TagInUseError(
                f"Tag {tag_id} is applied to artists; pass force=true to delete it with its "
                "assignments.",
                tag_id=tag_id,
            )
    session.execute(delete(Tag).where(Tag.id == tag_id))
    commit_write(session, cache=cache, groups=groups.ON_TAGS)
