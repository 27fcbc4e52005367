"""Lists of artists: name search and popularity orders, and batch reads by id.

Every list item carries the artist's few most applied tags (``SUMMARY_TAGS``), read for the
whole page in one statement, so a client naming a page of artists needs no call per artist.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from functools import partial
from typing import Any

import orjson
from sqlalchemy import ColumnElement, Select, bindparam, case, func, select
from sqlalchemy.orm import Session

from catalog.cache import ARTISTS
from catalog.models import Artist, ArtistPopularity, Tag, TagAssignment
from catalog.names import like_pattern, search_name
from catalog.schemas.artists import SUMMARY_TAGS, ArtistSort
from catalog.services.queries import listeners_col, plays_col
from soundstream_common.app import ServiceState
from soundstream_common.batch import batch_page
from soundstream_common.pagination import PageParams, encode_cursor
from soundstream_common.reads import run_read

_COLUMNS = (
    Artist.id,
    Artist.name,
    Artist.url,
    Artist.picture_url,
    Artist.is_placeholder,
    listeners_col(),
    plays_col(),
)


def _with_popularity() -> Select[int, str, str | None, str | None, bool, int, int]:
    return select(*_COLUMNS).outerjoin(ArtistPopularity, ArtistPopularity.artist_id == Artist.id)


def _top_tags_statement() -> Select[int, int, str, int]:
    count = func.count().label("n")
    rank = (
        func.row_number()
        .over(partition_by=TagAssignment.artist_id, order_by=(func.count().desc(), Tag.id))
        .label("rank")
    )
    ranked = (
        select(TagAssignment.artist_id, Tag.id, Tag.value, count, rank)
        .join(Tag, Tag.id == TagAssignment.tag_id)
        .where(TagAssignment.artist_id.in_(bindparam("ids", expanding=True)))
        .group_by(TagAssignment.artist_id, Tag.id, Tag.value)
        .subquery()
    )
    return (
        select(ranked.c.artist_id, ranked.c.id, ranked.c.value, ranked.c.n)
        .where(ranked.c.rank <= SUMMARY_TAGS)
        .order_by(ranked.c.artist_id, ranked.c.rank)
    )


# Built once: each call only binds the ids.
_TOP_TAGS = _top_tags_statement()
_SUMMARIES = _with_popularity().where(Artist.id.in_(bindparam("ids", expanding=True)))
INLINE_READ_IDS = 20
"""A batch read of at most this many uncached artists runs as a point read (on the event loop
on SQLite, :func:`soundstream_common.reads.run_read`); a larger one in the thread pool."""


def _top_tags(session: Session, artist_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """Each artist's ``SUMMARY_TAGS`` most applied tags (ties by tag id), in one statement."""
    if not artist_ids:
        return {}
    tags: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for artist_id, tag_id, value, n in session.execute(_TOP_TAGS, {"ids": list(artist_ids)}):
        tags[artist_id].append({"id": tag_id, "value": value, "count": int(n)})
    return tags


def _items(session: Session, rows: Sequence[Any]) -> list[dict[str, Any]]:
    """List items (``ArtistListItem``) of ``(id, name, url, picture, placeholder, listeners,
    plays)`` rows, in their order."""
    tags = _top_tags(session, [row[0] for row in rows])
    return [
        {
            "name": name,
            "url": url,
            "picture_url": picture_url,
            "id": ident,
            "is_placeholder": bool(placeholder),
            "listeners": int(listeners),
            "plays": int(plays),
            "top_tags": tags.get(ident, []),
        }
        for ident, name, url, picture_url, placeholder, listeners, plays in rows
    ]


def _relevance(needle: str) -> ColumnElement[int]:
    """0 for a name equal to ``needle``, 1 for one starting with it, 2 for the rest."""
    prefix = like_pattern(needle).removeprefix("%")
    return case(
        (Artist.search_name == needle, 0),
        (Artist.search_name.like(prefix, "\\"), 1),
        else_=2,
    )


def list_artists_json(
    session: Session, *, q: str | None, sort: ArtistSort | None, page: PageParams
) -> bytes:
    """An ``ArtistList`` page of the artists whose normalised name contains the normalised
    ``q``, in ``sort`` order (default: relevance with ``q``, else name)."""
    needle = None if q is None else search_name(q)
    where = [] if needle is None else [Artist.search_name.like(like_pattern(needle), "\\")]
    total = session.execute(select(func.count()).select_from(Artist).where(*where)).scalar_one()
    chosen = sort or (ArtistSort.relevance if needle is not None else ArtistSort.name)
    if chosen is ArtistSort.relevance:
        # Exact and prefix matches first, the most listened first within each; no ``q``:
        # by popularity.
        first = () if needle is None else (_relevance(needle),)
        order: tuple[Any, ...] = (*first, listeners_col().desc(), Artist.search_name, Artist.id)
    else:
        order = {
            ArtistSort.name: (Artist.search_name, Artist.id),
            ArtistSort.listeners: (listeners_col().desc(), Artist.id),
            ArtistSort.plays: (plays_col().desc(), Artist.id),
        }[chosen]
    rows = session.execute(
        _with_popularity().where(*where).order_by(*order).limit(page.limit).offset(page.offset)
    ).all()
    following = page.offset + len(rows)
    return orjson.dumps(
        {
            "items": _items(session, rows),
            "total": total,
            "limit": page.limit,
            "next_cursor": encode_cursor(following) if following < total else None,
            "missing": [],
        }
    )


async def artists_by_ids_json(state: ServiceState, *, ids: Sequence[int]) -> bytes:
    """An ``ArtistList`` of the artists named by ``ids`` (distinct, at most one page), in the
    order given; the ids naming no artist are listed in ``missing``.

    Each artist's item is cached on its own (group ``artists``, which every change of an
    artist, its tags or its popularity makes stale): a batch is one ``MGET`` plus one read of
    the artists not cached yet, and batches that share artists share their items. The cache is
    read on the event loop; the read of the missing artists runs as :data:`INLINE_READ_IDS`
    says."""

    def read(missing: list[int]) -> dict[int, bytes]:
        with state.sessions() as session:
            rows = session.execute(_SUMMARIES, {"ids": missing}).all()
            return {item["id"]: orjson.dumps(item) for item in _items(session, rows)}

    async def compute(missing: list[int]) -> dict[int, bytes]:
        inline = len(missing) <= INLINE_READ_IDS
        return await run_read(state.engine, partial(read, missing), point_read=inline)

    found = await state.cache.get_or_compute_many_async(ARTISTS, ids, _summary_key, compute)
    items = b",".join(found[ident] for ident in ids if ident in found)
    page = batch_page(ids, dict.fromkeys(found))
    del page["items"]
    return b'{"items":[' + items + b"]," + orjson.dumps(page)[1:]


def _summary_key(artist_id: int) -> str:
    return f"summary:{artist_id}"
