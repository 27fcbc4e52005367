"""Granular artist search: tag combinations (all / any) crossed with popularity bounds.

One grouped query does the work in the database: it counts the requested tags' assignments
per (tag, artist) through the covering ``(tag_id, artist_id)`` index, folds them into one row
per artist (a count per requested tag; with ``match=all`` only artists having every tag),
joins popularity, applies its bounds, scores, orders and cuts the page (with the total as a
window count). A second query fetches the page's artist names.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce

from sqlalchemy import Float, Integer, and_, case, cast, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from catalog.models import Artist, ArtistPopularity, TagAssignment
from catalog.schemas.search import (
    ArtistSearchHit,
    ArtistSearchPage,
    MatchedTag,
    MatchMode,
    SearchSort,
)
from catalog.services.queries import listeners_col, plays_col
from catalog.services.tag_index import TagArtistCounts
from catalog.services.tags import find_by_values
from soundstream_common.pagination import PageParams

MAX_TAGS = 10


@dataclass(frozen=True)
class PopularityBounds:
    """Inclusive bounds on listeners and plays; ``None`` is open."""

    min_listeners: int | None = None
    max_listeners: int | None = None
    min_plays: int | None = None
    max_plays: int | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        """Filters on the outer-joined popularity (artists without data count as 0)."""
        listeners, plays = listeners_col(), plays_col()
        bounds: list[ColumnElement[bool]] = []
        if self.min_listeners is not None:
            bounds.append(listeners >= self.min_listeners)
        if self.max_listeners is not None:
            bounds.append(listeners <= self.max_listeners)
        if self.min_plays is not None:
            bounds.append(plays >= self.min_plays)
        if self.max_plays is not None:
            bounds.append(plays <= self.max_plays)
        return bounds

    def is_open(self) -> bool:
        """No bound at all."""
        return self == PopularityBounds()

    def admits(self, listeners: int, plays: int) -> bool:
        """The same bounds as :meth:`conditions`, on known values."""
        return (
            (self.min_listeners is None or listeners >= self.min_listeners)
            and (self.max_listeners is None or listeners <= self.max_listeners)
            and (self.min_plays is None or plays >= self.min_plays)
            and (self.max_plays is None or plays <= self.max_plays)
        )


@dataclass(frozen=True, slots=True)
class _Hit:
    artist_id: int
    listeners: int
    plays: int
    relevance: float
    counts: tuple[int, ...]
    """Assignments of each requested tag on the artist (0: not carried)."""


def _distinct(values: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for value in values:
        seen.setdefault(value.lower(), value)
    return list(seen.values())


def _ranked(
    session: Session,
    tag_ids: Sequence[Sequence[int]],
    *,
    match: MatchMode,
    bounds: PopularityBounds,
    sort: SearchSort,
    page: PageParams,
) -> tuple[list[_Hit], int]:
    """One page of the artists carrying all (or any) of the tags (one id group per requested
    value) in ``sort`` order, and how many there are in all."""
    per_tag = (
        select(TagAssignment.tag_id, TagAssignment.artist_id, func.count().label("n"))
        .where(TagAssignment.tag_id.in_([i for ids in tag_ids for i in ids]))
        .group_by(TagAssignment.tag_id, TagAssignment.artist_id)
        .subquery()
    )
    counts = [
        cast(func.sum(case((per_tag.c.tag_id.in_(ids), per_tag.c.n), else_=0)), Integer)
        for ids in tag_ids
    ]
    per_artist = select(
        per_tag.c.artist_id, *(count.label(f"c{i}") for i, count in enumerate(counts))
    ).group_by(per_tag.c.artist_id)
    if match is MatchMode.all:
        per_artist = per_artist.having(and_(*(count > 0 for count in counts)))
    folded = per_artist.subquery()
    found = [folded.c[f"c{i}"] for i in range(len(tag_ids))]
    relevance = reduce(operator.add, (func.ln(cast(c + 1, Float)) for c in found))
    listeners, plays, artist_id = listeners_col(), plays_col(), folded.c.artist_id
    order = {
        SearchSort.relevance: (relevance.desc(), listeners.desc(), artist_id),
        SearchSort.listeners: (listeners.desc(), relevance.desc(), artist_id),
        SearchSort.plays: (plays.desc(), relevance.desc(), artist_id),
    }[sort]
    base = (
        select(artist_id)
        .outerjoin(ArtistPopularity, ArtistPopularity.artist_id == artist_id)
        .where(*bounds.conditions())
    )
    statement = (
        base.add_columns(listeners, plays, relevance, func.count().over(), *found)
        .order_by(*order)
        .limit(page.limit)
        .offset(page.offset)
    )
    # Core execution: plain tuples, no ORM row processing.
    rows = session.connection().execute(statement).all()
    hits = [_Hit(row[0], row[1], row[2], row[3], tuple(row[5:])) for row in rows]
    if rows:
        return hits, int(rows[0][4])
    total = session.connection().execute(select(func.count()).select_from(base.subquery()))
    return hits, int(total.scalar_one())


def _names(
    session: Session, artist_ids: list[int], index: TagArtistCounts | None
) -> dict[int, tuple[str, bool]]:
    """Name and placeholder flag of each artist of the page."""
    if index is not None:
        return {artist_id: index.artists[artist_id] for artist_id in artist_ids}
    if not artist_ids:
        return {}
    rows = session.execute(
        select(Artist.id, Artist.name, Artist.is_placeholder).where(Artist.id.in_(artist_ids))
    )
    return {artist_id: (name, placeholder) for artist_id, name, placeholder in rows}


def search_artists(
    session: Session,
    *,
    tags: list[str],
    match: MatchMode,
    bounds: PopularityBounds,
    sort: SearchSort,
    page: PageParams,
    index: TagArtistCounts | None = None,
) -> ArtistSearchPage:
    """Artists carrying all (or any) of ``tags`` (any letter case) within ``bounds``.

    With ``index`` (a snapshot matching the database) the ranking is computed from it
    instead of the grouped query; the answer is the same.

    ``relevance`` = sum over the matched tags of ln(1 + times the tag was applied to the
    artist): matching more of the tags and a stronger consensus of taggers both rank higher,
    with diminishing returns. Ties: more listeners, then lower id.
    """
    requested = _distinct(tags)
    if index is not None:
        found = index.find_tags(requested)
    else:
        found = {
            folded: [(tag.id, tag.value) for tag in group]
            for folded, group in find_by_values(session, values=requested).items()
        }
    unknown = [value for value in requested if value.lower() not in found]
    known = [found[value.lower()] for value in requested if value.lower() in found]
    names_of_tags = [group[0][1] for group in known]
    window: list[_Hit] = []
    total = 0
    if known and not (match is MatchMode.all and unknown):
        tag_ids = [[tag_id for tag_id, _ in group] for group in known]
        if index is not None:
            found_hits, total = index.ranked(
                tag_ids,
                match=match,
                admits=None if bounds.is_open() else bounds.admits,
                sort=sort,
                page=page,
            )
            window = [
                _Hit(h.artist_id, h.listeners, h.plays, h.relevance, h.counts) for h in found_hits
            ]
        else:
            window, total = _ranked(
                session, tag_ids, match=match, bounds=bounds, sort=sort, page=page
            )
    page_ids = [hit.artist_id for hit in window]
    artists = _names(session, page_ids, index)
    items = [
        ArtistSearchHit(
            id=hit.artist_id,
            name=artists[hit.artist_id][0],
            is_placeholder=artists[hit.artist_id][1],
            listeners=hit.listeners,
            plays=hit.plays,
            relevance=round(hit.relevance, 6),
            matched_tags=[
                MatchedTag(value=value, count=n)
                for value, n in zip(names_of_tags, hit.counts, strict=True)
                if n
            ],
        )
        for hit in window
    ]
    result = page.page(items, total)
    return ArtistSearchPage(
        **result.model_dump(), match=match, tags=names_of_tags, unknown_tags=unknown
    )
