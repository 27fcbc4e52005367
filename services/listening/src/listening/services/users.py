"""Users: summaries, the sorted list, creation and deletion (with its cascades)."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import ColumnElement, Select, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from listening.cache import USERS_CHANGED
from listening.exceptions import UserAlreadyExistsError, UserNotFoundError
from listening.models import Friendship, Listen, User
from listening.schemas import UserRead, UserSort, UserSummary
from listening.services.dataset import lock_dataset
from listening.services.popularity import artist_popularity
from listening.services.writes import commit_write
from listening.stats import gini, normalised_entropy, shannon_entropy
from soundstream_common.app import EventPublisher
from soundstream_common.batch import batch_page
from soundstream_common.cache import ResponseCache
from soundstream_common.errors import ConflictError
from soundstream_common.events.contract import (
    DomainEvent,
    ListensChanged,
    UserCreated,
    UserDeleted,
)
from soundstream_common.ids import MAX_ID
from soundstream_common.pagination import PageParams


def plays_of_user() -> ColumnElement[Any]:
    """Correlated: the total plays of ``users.id``."""
    return (
        select(func.coalesce(func.sum(Listen.weight), 0))
        .where(Listen.user_id == User.id)
        .correlate(User)
        .scalar_subquery()
    )


def artists_of_user() -> ColumnElement[Any]:
    """Correlated: the number of artists ``users.id`` listens to."""
    return select(func.count()).where(Listen.user_id == User.id).correlate(User).scalar_subquery()


def friends_of_user() -> ColumnElement[Any]:
    """Correlated: the number of friends of ``users.id``."""
    return (
        select(func.count()).where(Friendship.user_id == User.id).correlate(User).scalar_subquery()
    )


def summaries_select() -> Select[int, Any, Any, Any]:
    """``(id, plays, artists, friends)`` of every user; callers add filters and order."""
    return select(
        User.id,
        plays_of_user().label("plays"),
        artists_of_user().label("artists"),
        friends_of_user().label("friends"),
    )


def aggregated_summaries_select() -> Select[int, Any, Any, Any]:
    """Like :func:`summaries_select`, aggregating whole tables: faster to rank every user."""
    listens = (
        select(
            Listen.user_id.label("user_id"),
            func.sum(Listen.weight).label("plays"),
            func.count().label("artists"),
        )
        .group_by(Listen.user_id)
        .subquery("listen_totals")
    )
    friends = (
        select(Friendship.user_id.label("user_id"), func.count().label("friends"))
        .group_by(Friendship.user_id)
        .subquery("friend_counts")
    )
    return (
        select(
            User.id,
            func.coalesce(listens.c.plays, 0).label("plays"),
            func.coalesce(listens.c.artists, 0).label("artists"),
            func.coalesce(friends.c.friends, 0).label("friends"),
        )
        .outerjoin(listens, listens.c.user_id == User.id)
        .outerjoin(friends, friends.c.user_id == User.id)
    )


def summary_from_row(row: Any) -> UserSummary:
    return UserSummary(
        id=row.id, plays=int(row.plays), artists=int(row.artists), friends=int(row.friends)
    )


def user_exists(session: Session, *, user_id: int) -> bool:
    return session.get(User, user_id) is not None


def require_user(session: Session, *, user_id: int) -> None:
    if not user_exists(session, user_id=user_id):
        raise UserNotFoundError(user_id)


def list_users(
    session: Session, *, sort: UserSort, params: PageParams
) -> tuple[list[UserSummary], int]:
    """One page of users; ``plays``/``artists``/``friends`` sort descending, ties by id."""
    if sort == "id":  # counts computed for the page's users only
        query = summaries_select().order_by(User.id)
    else:
        query = aggregated_summaries_select()
        query = query.order_by(query.selected_columns[sort].desc(), User.id)
    rows = session.execute(query.limit(params.limit).offset(params.offset)).all()
    total = session.execute(select(func.count()).select_from(User)).scalar_one()
    return [summary_from_row(row) for row in rows], int(total)


def users_by_ids_json(session: Session, *, ids: list[int]) -> bytes:
    """The ``UserList`` of the users named by ``ids``, in their order (the rest missing)."""
    rows = session.execute(summaries_select().where(User.id.in_(ids))).all()
    found = {row.id: summary_from_row(row).model_dump() for row in rows}
    return orjson.dumps(batch_page(ids, found))


def get_user(session: Session, *, user_id: int) -> UserRead:
    """The user's counts and the diversity of their plays."""
    require_user(session, user_id=user_id)
    weights = [
        int(w) for w in session.scalars(select(Listen.weight).where(Listen.user_id == user_id))
    ]
    friends = session.execute(
        select(func.count()).where(Friendship.user_id == user_id)
    ).scalar_one()
    return UserRead(
        id=user_id,
        plays=sum(weights),
        artists=len(weights),
        friends=int(friends),
        entropy=shannon_entropy(weights),
        normalised_entropy=normalised_entropy(weights),
        gini=gini(weights),
    )


def _insert_user(session: Session, user_id: int) -> bool:
    """Insert ``user_id``; False (and the transaction rolled back) when the id is taken."""
    session.add(User(id=user_id))
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        return False
    return True


def create_user(
    session: Session,
    *,
    user_id: int | None,
    events: EventPublisher,
    cache: ResponseCache,
) -> UserSummary:
    """Create a user with ``user_id`` (409 when taken) or the next free id; UserCreated."""
    lock_dataset(session)
    if user_id is not None:
        if user_exists(session, user_id=user_id) or not _insert_user(session, user_id):
            raise UserAlreadyExistsError(user_id)
        new_id = user_id
    else:
        highest = session.execute(select(func.max(User.id))).scalar_one_or_none()
        new_id = int(highest or 0) + 1
        if new_id > MAX_ID:
            raise ConflictError("No user id is left above the highest one; pass an explicit id.")
        if not _insert_user(session, new_id):
            raise UserAlreadyExistsError(new_id)
    commit_write(
        session,
        events=events,
        cache=cache,
        records=[UserCreated(user_id=new_id)],
        groups=USERS_CHANGED,
    )
    return UserSummary(id=new_id, plays=0, artists=0, friends=0)


def delete_user(
    session: Session, *, user_id: int, events: EventPublisher, cache: ResponseCache
) -> None:
    """Delete a user, their listens and friendships (both directions).

    Publishes UserDeleted and ListensChanged with the new popularity of their artists.
    """
    lock_dataset(session)
    require_user(session, user_id=user_id)
    artist_ids = list(session.scalars(select(Listen.artist_id).where(Listen.user_id == user_id)))
    # The foreign keys cascade; the explicit deletes keep it independent of the pragma.
    session.execute(delete(Listen).where(Listen.user_id == user_id))
    session.execute(
        delete(Friendship).where(
            (Friendship.user_id == user_id) | (Friendship.friend_id == user_id)
        )
    )
    session.execute(delete(User).where(User.id == user_id))
    records: list[DomainEvent] = [UserDeleted(user_id=user_id)]
    if artist_ids:
        records.append(ListensChanged(artists=artist_popularity(session, artist_ids=artist_ids)))
    commit_write(session, events=events, cache=cache, records=records, groups=USERS_CHANGED)
