"""Listens: a user's artists, and the writes that change plays (each publishes listens.changed)."""

from __future__ import annotations

import orjson
from sqlalchemy import Engine, Integer, bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from listening.cache import LISTENS_CHANGED
from listening.exceptions import ArtistNotFoundError, ListenNotFoundError, UserNotFoundError
from listening.models import ArtistRef, Listen, User
from listening.schemas import ListenRead
from listening.services.dataset import lock_dataset
from listening.services.popularity import artist_popularity
from listening.services.sql import affected_rows
from listening.services.users import require_user
from listening.services.writes import commit_write
from soundstream_common.app import EventPublisher
from soundstream_common.cache import ResponseCache
from soundstream_common.events.contract import ListensChanged
from soundstream_common.pagination import PageParams, encode_cursor
from soundstream_common.reads import DriverQuery, driver_cursor


def require_artist(session: Session, *, artist_id: int) -> None:
    """The artist must be known from the catalog (replicated ``artist_refs``)."""
    if session.get(ArtistRef, artist_id) is None:
        raise ArtistNotFoundError(artist_id)


_USER_ID = bindparam("user_id", type_=Integer)
_USER_LISTENS = DriverQuery(
    select(
        select(func.count()).select_from(Listen).where(Listen.user_id == _USER_ID).scalar_subquery()
    ).where(User.id == _USER_ID)
)
"""How many artists the user listened to (no row when the user does not exist)."""
_USER_PAGE = DriverQuery(
    select(Listen.artist_id, Listen.weight)
    .where(Listen.user_id == _USER_ID)
    .order_by(Listen.weight.desc(), Listen.artist_id)
    .limit(bindparam("limit", type_=Integer))
    .offset(bindparam("offset", type_=Integer))
)
"""One page of the user's listens, most played first (ties by artist id)."""


def user_artists_json(engine: Engine, *, user_id: int, params: PageParams) -> bytes:
    """The ``Page[ListenRead]`` JSON of the user's artists (404 when the user does not exist).

    Two statements compiled once, run on the driver's cursor (no ORM session, no Core result
    objects); the JSON is built directly from the rows.
    """
    page_params = {"user_id": user_id, "limit": params.limit, "offset": params.offset}
    with driver_cursor(engine) as cursor:
        found = _USER_LISTENS.rows(cursor, engine.dialect, {"user_id": user_id})
        if not found:
            raise UserNotFoundError(user_id)
        rows = _USER_PAGE.rows(cursor, engine.dialect, page_params)
    total = found[0][0]
    following = params.offset + len(rows)
    page = {
        "items": [{"user_id": user_id, "artist_id": a, "weight": int(w)} for a, w in rows],
        "total": int(total),
        "limit": params.limit,
        "next_cursor": encode_cursor(following) if following < total else None,
    }
    return orjson.dumps(page)


def _finish(
    session: Session,
    *,
    user_id: int,
    artist_id: int,
    events: EventPublisher,
    cache: ResponseCache,
) -> None:
    """Commit a write of the user's listen of the artist: :class:`ListensChanged` names the user
    (whose recommendations fold the new listens in) and the artist's new popularity."""
    popularity = artist_popularity(session, artist_ids=[artist_id])
    commit_write(
        session,
        events=events,
        cache=cache,
        records=[ListensChanged(artists=popularity, user_id=user_id)],
        groups=LISTENS_CHANGED,
    )


def put_listen(
    session: Session,
    *,
    user_id: int,
    artist_id: int,
    weight: int,
    events: EventPublisher,
    cache: ResponseCache,
) -> tuple[ListenRead, bool]:
    """Store ``weight`` plays of the artist by the user; True when the listen is new.

    Storing the weight a listen already has changes nothing: no event, no new version.
    """
    lock_dataset(session)
    require_user(session, user_id=user_id)
    require_artist(session, artist_id=artist_id)
    listen = session.get(Listen, (user_id, artist_id))
    created = listen is None
    if listen is None:
        session.add(Listen(user_id=user_id, artist_id=artist_id, weight=weight))
    elif listen.weight == weight:
        session.rollback()
        return ListenRead(user_id=user_id, artist_id=artist_id, weight=weight), False
    else:
        listen.weight = weight
    session.flush()
    _finish(session, user_id=user_id, artist_id=artist_id, events=events, cache=cache)
    return ListenRead(user_id=user_id, artist_id=artist_id, weight=weight), created


def add_plays(
    session: Session,
    *,
    user_id: int,
    artist_id: int,
    plays: int,
    events: EventPublisher,
    cache: ResponseCache,
) -> ListenRead:
    """Add ``plays`` to an existing listen (404 when the user has none of that artist)."""
    lock_dataset(session)
    require_user(session, user_id=user_id)
    require_artist(session, artist_id=artist_id)
    result = session.execute(
        update(Listen)
        .where(Listen.user_id == user_id, Listen.artist_id == artist_id)
        .values(weight=Listen.weight + plays)
        .returning(Listen.weight)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if result is None:
        raise ListenNotFoundError(user_id, artist_id)
    _finish(session, user_id=user_id, artist_id=artist_id, events=events, cache=cache)
    return ListenRead(user_id=user_id, artist_id=artist_id, weight=int(result))


def delete_listen(
    session: Session,
    *,
    user_id: int,
    artist_id: int,
    events: EventPublisher,
    cache: ResponseCache,
) -> None:
    """Remove the user's plays of the artist (404 when there are none)."""
    lock_dataset(session)
    require_user(session, user_id=user_id)
    require_artist(session, artist_id=artist_id)
    deleted = affected_rows(
        session, delete(Listen).where(Listen.user_id == user_id, Listen.artist_id == artist_id)
    )
    if not deleted:
        raise ListenNotFoundError(user_id, artist_id)
    _finish(session, user_id=user_id, artist_id=artist_id, events=events, cache=cache)
