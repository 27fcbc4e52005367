"""Tag statistics: top tags and the dominant-vs-niche classification."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Subquery, func, select
from sqlalchemy.orm import Session

from catalog.models import Tag, TagAssignment
from catalog.schemas.stats import DominancePage, TagDominance, TagKind, TagStat, TopTagsBy
from catalog.services.queries import DateRange, within
from soundstream_common.pagination import Page, PageParams

DEFAULT_MIN_ARTIST_SHARE = 0.02
DEFAULT_MIN_USER_SHARE = 0.05

DOMINANCE_RULE = (
    "A tag is dominant when it is applied to at least {artists:.2%} of the tagged artists "
    "(artists with at least one tag assignment) by at least {users:.2%} of the taggers "
    "(users with at least one tag assignment); every other used tag is niche."
)


def _usage(dates: DateRange | None = None) -> Subquery:
    """Per used tag: assignments, distinct artists and users (within ``dates`` when bounded:
    then only validly dated assignments count)."""
    query = select(
        TagAssignment.tag_id.label("tag_id"),
        func.count().label("assignments"),
        func.count(TagAssignment.artist_id.distinct()).label("artists"),
        func.count(TagAssignment.user_id.distinct()).label("users"),
    )
    return query.where(*within(dates)).group_by(TagAssignment.tag_id).subquery()


def top_tags(
    session: Session, *, by: TopTagsBy, page: PageParams, dates: DateRange | None = None
) -> Page[TagStat]:
    """Used tags ranked by assignments, distinct artists or distinct users (ties: the other
    counts, then lower id); with ``dates``, only the assignments dated inside them."""
    usage = _usage(dates)
    primary = usage.c[by.value]
    others = [usage.c[name] for name in ("assignments", "artists", "users") if name != by.value]
    rows: list[Any] = list(
        session.execute(
            select(Tag.id, Tag.value, usage.c.assignments, usage.c.artists, usage.c.users)
            .join(usage, usage.c.tag_id == Tag.id)
            .order_by(primary.desc(), *(c.desc() for c in others), Tag.id)
            .limit(page.limit)
            .offset(page.offset)
        ).all()
    )
    counted = select(func.count(TagAssignment.tag_id.distinct())).where(*within(dates))
    total = session.execute(counted).scalar_one()
    items = [
        TagStat(
            rank=page.offset + i + 1,
            id=r[0],
            value=r[1],
            assignments=r[2],
            artists=r[3],
            users=r[4],
        )
        for i, r in enumerate(rows)
    ]
    return page.page(items, total)


def dominance(
    session: Session,
    *,
    min_artist_share: float,
    min_user_share: float,
    kind: TagKind | None,
    page: PageParams,
    dates: DateRange | None = None,
) -> DominancePage:
    """Every used tag classified dominant or niche (see :data:`DOMINANCE_RULE`), widest
    spread first (artist share, then user share, then lower id); with ``dates``, tags,
    tagged artists and taggers are counted on the assignments dated inside them."""
    tagged_artists, taggers = session.execute(
        select(
            func.count(TagAssignment.artist_id.distinct()),
            func.count(TagAssignment.user_id.distinct()),
        ).where(*within(dates))
    ).one()
    usage = _usage(dates)
    rows = session.execute(
        select(Tag.id, Tag.value, usage.c.artists, usage.c.users).join(
            usage, usage.c.tag_id == Tag.id
        )
    ).all()
    classified = []
    for tag_id, value, artists, users in rows:
        artist_share, user_share = artists / tagged_artists, users / taggers
        dominant = artist_share >= min_artist_share and user_share >= min_user_share
        classified.append(
            TagDominance(
                id=tag_id,
                value=value,
                artists=artists,
                users=users,
                artist_share=round(artist_share, 6),
                user_share=round(user_share, 6),
                kind=TagKind.dominant if dominant else TagKind.niche,
            )
        )
    classified.sort(key=lambda t: (-t.artist_share, -t.user_share, t.id))
    dominant_count = sum(1 for t in classified if t.kind is TagKind.dominant)
    selected = [t for t in classified if kind is None or t.kind is kind]
    result = page.page(selected[page.offset : page.offset + page.limit], len(selected))
    return DominancePage(
        **result.model_dump(),
        rule=DOMINANCE_RULE.format(artists=min_artist_share, users=min_user_share),
        min_artist_share=min_artist_share,
        min_user_share=min_user_share,
        tagged_artists=tagged_artists,
        taggers=taggers,
        dominant=dominant_count,
        niche=len(classified) - dominant_count,
    )
