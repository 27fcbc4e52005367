"""Artists: listing and name search, detail with popularity and tags, writes."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import Engine, Integer, bindparam, delete, func, select
from sqlalchemy.orm import Session

from catalog import cache as groups
from catalog.exceptions import ArtistNotFoundError
from catalog.models import Artist, ArtistPopularity, Tag, TagAssignment
from catalog.names import search_name
from catalog.schemas.artists import (
    ArtistCreate,
    ArtistRead,
    ArtistTag,
)
from catalog.services.queries import listeners_col, plays_col
from catalog.services.writes import commit_write
from soundstream_common.app import EventPublisher
from soundstream_common.cache import ResponseCache
from soundstream_common.events.contract import ArtistCreated, ArtistDeleted
from soundstream_common.pagination import Page, PageParams
from soundstream_common.reads import DriverQuery, driver_cursor

TOP_TAGS = 10


def _read(artist: Artist, listeners: int, plays: int) -> ArtistRead:
    return ArtistRead(
        id=artist.id,
        name=artist.name,
        url=artist.url,
        picture_url=artist.picture_url,
        is_placeholder=artist.is_placeholder,
        listeners=listeners,
        plays=plays,
    )


def get_artist(session: Session, *, artist_id: int) -> Artist:
    artist = session.get(Artist, artist_id)
    if artist is None:
        raise ArtistNotFoundError(f"Artist {artist_id} does not exist.", artist_id=artist_id)
    return artist


def read_artist(session: Session, *, artist: Artist) -> ArtistRead:
    """The artist with its popularity."""
    popularity = session.get(ArtistPopularity, artist.id)
    if popularity is None:
        return _read(artist, 0, 0)
    return _read(artist, popularity.listeners, popularity.plays)


_ARTIST_ID = bindparam("artist_id", type_=Integer)
_DETAIL = DriverQuery(
    select(
        Artist.id,
        Artist.name,
        Artist.url,
        Artist.picture_url,
        Artist.is_placeholder,
        listeners_col(),
        plays_col(),
        select(func.count())
        .where(TagAssignment.artist_id == Artist.id)
        .correlate(Artist)
        .scalar_subquery(),
    )
    .outerjoin(ArtistPopularity, ArtistPopularity.artist_id == Artist.id)
    .where(Artist.id == _ARTIST_ID)
)
"""The artist, its popularity and its number of tag assignments (one row, or none)."""
_TOP_COUNT = func.count().label("n")
_TOP_TAGS = DriverQuery(
    select(Tag.id, Tag.value, _TOP_COUNT)
    .join(TagAssignment, TagAssignment.tag_id == Tag.id)
    .where(TagAssignment.artist_id == _ARTIST_ID)
    .group_by(Tag.id, Tag.value)
    .order_by(_TOP_COUNT.desc(), Tag.id)
    .limit(TOP_TAGS)
)
"""The artist's most applied tags."""


def artist_detail_json(engine: Engine, *, artist_id: int) -> bytes:
    """The :class:`ArtistDetail` JSON of the artist: its popularity and its most applied tags.

    Two statements compiled once, run on the driver's cursor (no ORM session, no Core result
    objects); the JSON is built directly from the rows.
    """
    params = {"artist_id": artist_id}
    with driver_cursor(engine) as cursor:
        found = _DETAIL.rows(cursor, engine.dialect, params)
        if not found:
            raise ArtistNotFoundError(f"Artist {artist_id} does not exist.", artist_id=artist_id)
        top = _TOP_TAGS.rows(cursor, engine.dialect, params)
    ident, name, url, picture_url, placeholder, listeners, plays, assignments = found[0]
    detail = {
        "name": name,
        "url": url,
        "picture_url": picture_url,
        "id": ident,
        "is_placeholder": bool(placeholder),
        "listeners": int(listeners),
        "plays": int(plays),
        "tag_assignments": int(assignments),
        "top_tags": [{"id": i, "value": v, "count": int(n)} for i, v, n in top],
    }
    return orjson.dumps(detail)


def artist_tags(session: Session, *, artist: Artist, page: PageParams) -> Page[ArtistTag]:
    """The artist's tags, most applied first, with distinct taggers."""
    artist_id = artist.id
    count = func.count().label("n")
    rows = session.execute(
        select(Tag.id, Tag.value, count, func.count(TagAssignment.user_id.distinct()))
        .join(TagAssignment, TagAssignment.tag_id == Tag.id)
        .where(TagAssignment.artist_id == artist_id)
        .group_by(Tag.id, Tag.value)
        .order_by(count.desc(), Tag.id)
        .limit(page.limit)
        .offset(page.offset)
    ).all()
    total = session.execute(
        select(func.count(TagAssignment.tag_id.distinct())).where(
            TagAssignment.artist_id == artist_id
        )
    ).scalar_one()
    items = [ArtistTag(id=i, value=v, count=n, users=u) for i, v, n, u in rows]
    return page.page(items, total)


def create_artist(
    session: Session, *, data: ArtistCreate, events: EventPublisher, cache: ResponseCache
) -> ArtistRead:
    """Insert the artist and publish :class:`ArtistCreated` once committed."""
    artist = Artist(
        name=data.name,
        url=data.url,
        picture_url=data.picture_url,
        search_name=search_name(data.name),
        is_placeholder=False,
    )
    session.add(artist)
    session.flush()
    events.record(session, ArtistCreated(artist_id=artist.id))
    commit_write(session, cache=cache, groups=groups.ON_ARTISTS, events=events)
    return _read(artist, 0, 0)


def update_artist(
    session: Session, *, artist: Artist, changes: dict[str, Any], cache: ResponseCache
) -> ArtistRead:
    """Apply ``changes`` (field -> value). A new name makes a placeholder a real artist."""
    for field, value in changes.items():
        setattr(artist, field, value)
    if "name" in changes:
        artist.search_name = search_name(artist.name)
        artist.is_placeholder = False
    commit_write(session, cache=cache, groups=groups.ON_ARTISTS)
    return read_artist(session, artist=artist)


def delete_artist(
    session: Session, *, artist: Artist, events: EventPublisher, cache: ResponseCache
) -> None:
    """Delete the artist (its tag assignments and popularity go with it, by cascade) and
    publish :class:`ArtistDeleted` once committed, so other services drop what they hold."""
    artist_id = artist.id
    events.record(session, ArtistDeleted(artist_id=artist_id))
    session.execute(delete(Artist).where(Artist.id == artist_id))
    commit_write(session, cache=cache, groups=groups.ON_ASSIGNMENTS, events=events)
