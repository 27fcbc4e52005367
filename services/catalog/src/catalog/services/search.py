"""Granular artist search: tag combinations (all / any) crossed with popularity bounds.

One grouped query does the work in the database: it counts the requested tags' assignments
per (tag, artist) through the covering ``(tag_id, artist_id)`` index, folds them into one row
per artist (a count per requested tag; with ``match=all`` only artists having every tag),
joins popularity, applies its bounds, scores, orders and cuts the page (with the total as a
window count). A second query fetches the page's artist names.

On SQLite the same reads are answered from memory by the tag index
(:mod:`catalog.services.tag_index`) while it matches the database. The endpoint serialises
the page straight to JSON; :func:`search_artists` builds the same page as models.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce
from typing import Any

import orjson
from sqlalchemy import Float, Integer, and_, case, cast, func, select
from sqlalchemy.orm import Session

from catalog.models import Artist, ArtistPopularity, TagAssignment
from catalog.schemas.search import ArtistSearchPage, MatchMode, SearchSort
from catalog.services.bounds import PopularityBounds
from catalog.services.queries import DateRange, listeners_col, plays_col, within
from catalog.services.tag_index import TagArtistCounts
from catalog.services.tag_ranking import ScoredArtist
from catalog.services.tags import find_by_values
from soundstream_common.pagination import PageParams, encode_cursor

MAX_TAGS = 10


def _distinct(values: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for value in values:
        seen.setdefault(value.lower(), value)
    return list(seen.values())


class _Database:
    """The search's reads from the database (when no index matches it, or the search is
    bounded by dates: the index holds no dates)."""

    def __init__(self, session: Session, dates: DateRange | None = None) -> None:
        self.session = session
        self.dates = dates

    def find_tags(self, values: Sequence[str]) -> dict[str, list[tuple[int, str]]]:
        return {
            folded: [(tag.id, tag.value) for tag in group]
            for folded, group in find_by_values(self.session, values=list(values)).items()
        }

    def ranked(
        self,
        tag_ids: Sequence[Sequence[int]],
        *,
        match: MatchMode,
        bounds: PopularityBounds,
        sort: SearchSort,
        page: PageParams,
    ) -> tuple[list[ScoredArtist], int]:
        """One page of the artists carrying all (or any) of the tags (one id group per requested
        value) in ``sort`` order, and how many there are in all."""
        per_tag = (
            select(TagAssignment.tag_id, TagAssignment.artist_id, func.count().label("n"))
            .where(
                TagAssignment.tag_id.in_([i for ids in tag_ids for i in ids]), *within(self.dates)
            )
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
        rows = self.session.connection().execute(statement).all()
        hits = [ScoredArtist(row[0], row[1], row[2], row[3], tuple(row[5:])) for row in rows]
        if rows:
            return hits, int(rows[0][4])
        total = self.session.connection().execute(select(func.count()).select_from(base.subquery()))
        return hits, int(total.scalar_one())

    def names(self, artist_ids: list[int]) -> dict[int, tuple[str, bool]]:
        """Name and placeholder flag of each artist of the page."""
        if not artist_ids:
            return {}
        rows = self.session.execute(
            select(Artist.id, Artist.name, Artist.is_placeholder).where(Artist.id.in_(artist_ids))
        )
        return {artist_id: (name, placeholder) for artist_id, name, placeholder in rows}


@dataclass(frozen=True)
class _Found:
    """A search's page before it is rendered."""

    tags: list[str]
    unknown: list[str]
    window: list[ScoredArtist]
    total: int
    artists: dict[int, tuple[str, bool]]


def _search(
    source: TagArtistCounts | _Database,
    *,
    tags: list[str],
    match: MatchMode,
    bounds: PopularityBounds,
    sort: SearchSort,
    page: PageParams,
) -> _Found:
    requested = _distinct(tags)
    found = source.find_tags(requested)
    unknown = [value for value in requested if value.lower() not in found]
    known = [found[value.lower()] for value in requested if value.lower() in found]
    window: list[ScoredArtist] = []
    total = 0
    if known and not (match is MatchMode.all and unknown):
        tag_ids = [[tag_id for tag_id, _ in group] for group in known]
        window, total = source.ranked(tag_ids, match=match, bounds=bounds, sort=sort, page=page)
    artists = source.names([hit.artist_id for hit in window])
    return _Found([group[0][1] for group in known], unknown, window, total, artists)


def _item(hit: ScoredArtist, tags: list[str], artist: tuple[str, bool]) -> dict[str, Any]:
    name, is_placeholder = artist
    return {
        "id": hit.artist_id,
        "name": name,
        "is_placeholder": is_placeholder,
        "listeners": hit.listeners,
        "plays": hit.plays,
        "relevance": round(hit.relevance, 6),
        "matched_tags": [
            {"value": value, "count": n} for value, n in zip(tags, hit.counts, strict=True) if n
        ],
    }


def _document(found: _Found, match: MatchMode, page: PageParams) -> dict[str, Any]:
    """The page as :class:`ArtistSearchPage` fields, in its field order."""
    following = page.offset + len(found.window)
    return {
        "items": [_item(hit, found.tags, found.artists[hit.artist_id]) for hit in found.window],
        "total": found.total,
        "limit": page.limit,
        "next_cursor": encode_cursor(following) if following < found.total else None,
        "match": match.value,
        "tags": found.tags,
        "unknown_tags": found.unknown,
    }


def search_artists(
    session: Session,
    *,
    tags: list[str],
    match: MatchMode,
    bounds: PopularityBounds,
    sort: SearchSort,
    page: PageParams,
    index: TagArtistCounts | None = None,
    dates: DateRange | None = None,
) -> ArtistSearchPage:
    """Artists carrying all (or any) of ``tags`` (any letter case) within ``bounds``.

    With ``index`` (a snapshot matching the database) the search reads it instead of the
    database; the answer is the same. With ``dates``, only the tags assigned within those
    days count (in the match and in the relevance); the index holds no dates, so such a
    search always reads the database.

    ``relevance`` = sum over the matched tags of ln(1 + times the tag was applied to the
    artist): matching more of the tags and a stronger consensus of taggers both rank higher,
    with diminishing returns. Ties: more listeners, then lower id.
    """
    dated = dates is not None and dates.bounded
    source = index if index is not None and not dated else _Database(session, dates)
    found = _search(source, tags=tags, match=match, bounds=bounds, sort=sort, page=page)
    return ArtistSearchPage.model_validate(_document(found, match, page))


def search_artists_json(
    source: Session | TagArtistCounts,
    *,
    tags: list[str],
    match: MatchMode,
    bounds: PopularityBounds,
    sort: SearchSort,
    page: PageParams,
    dates: DateRange | None = None,
) -> bytes:
    """:func:`search_artists`, read from the database (a session) or from an index matching
    it, as its JSON body: the same bytes as the model's ``model_dump_json``, without
    building the models (the endpoint's hot path; an index needs no session at all).
    A search bounded by ``dates`` needs the session (the index holds no dates)."""
    if isinstance(source, Session):
        reads: TagArtistCounts | _Database = _Database(source, dates)
    elif dates is not None and dates.bounded:
        raise ValueError("the tag index holds no dates: search the database")
    else:
        reads = source
    found = _search(reads, tags=tags, match=match, bounds=bounds, sort=sort, page=page)
    return orjson.dumps(_document(found, match, page))
