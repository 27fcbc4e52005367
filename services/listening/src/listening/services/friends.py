"""The friendship graph: both directions stored, kept symmetric by every write."""

from __future__ import annotations

from sqlalchemy import and_, delete, func, select
from sqlalchemy.orm import Session, aliased

from listening.cache import FRIENDSHIPS_CHANGED
from listening.exceptions import (
    FriendshipAlreadyExistsError,
    FriendshipNotFoundError,
    SelfFriendshipError,
    UserNotFoundError,
)
from listening.models import Friendship, Listen, User
from listening.schemas import FriendArtist, FriendshipRead, UserSummary
from listening.services.dataset import lock_dataset
from listening.services.sql import affected_rows
from listening.services.users import require_user, summaries_select, summary_from_row, user_exists
from listening.services.writes import commit_write
from soundstream_common.app import EventPublisher
from soundstream_common.cache import ResponseCache
from soundstream_common.pagination import PageParams


def list_friends(
    session: Session, *, user_id: int, params: PageParams
) -> tuple[list[UserSummary], int]:
    """One page of the user's friends (by id), each with their own counts."""
    query = (
        summaries_select()
        .join(Friendship, and_(Friendship.friend_id == User.id, Friendship.user_id == user_id))
        .order_by(User.id)
        .limit(params.limit)
        .offset(params.offset)
    )
    rows = session.execute(query).all()
    total = session.execute(
        select(func.count()).select_from(Friendship).where(Friendship.user_id == user_id)
    ).scalar_one()
    return [summary_from_row(row) for row in rows], int(total)


def _are_friends(session: Session, user_id: int, friend_id: int) -> bool:
    return session.get(Friendship, (user_id, friend_id)) is not None


def add_friendship(
    session: Session,
    *,
    user_id: int,
    friend_id: int,
    events: EventPublisher,
    cache: ResponseCache,
) -> FriendshipRead:
    """Befriend two users (stored both ways); 422 for oneself, 409 when already friends."""
    if user_id == friend_id:
        raise SelfFriendshipError(user_id)
    lock_dataset(session)
    require_user(session, user_id=user_id)
    if not user_exists(session, user_id=friend_id):
        raise UserNotFoundError(friend_id)
    if _are_friends(session, user_id, friend_id) or _are_friends(session, friend_id, user_id):
        raise FriendshipAlreadyExistsError(user_id, friend_id)
    session.add_all(
        [
            Friendship(user_id=user_id, friend_id=friend_id),
            Friendship(user_id=friend_id, friend_id=user_id),
        ]
    )
    session.flush()
    commit_write(session, events=events, cache=cache, records=[], groups=FRIENDSHIPS_CHANGED)
    return FriendshipRead(user_id=user_id, friend_id=friend_id)


def remove_friendship(
    session: Session,
    *,
    user_id: int,
    friend_id: int,
    events: EventPublisher,
    cache: ResponseCache,
) -> None:
    """End a friendship in both directions (404 when they are not friends)."""
    lock_dataset(session)
    require_user(session, user_id=user_id)
    if not user_exists(session, user_id=friend_id):
        raise UserNotFoundError(friend_id)
    deleted = affected_rows(
        session,
        delete(Friendship).where(
            ((Friendship.user_id == user_id) & (Friendship.friend_id == friend_id))
            | ((Friendship.user_id == friend_id) & (Friendship.friend_id == user_id))
        ),
    )
    if not deleted:
        raise FriendshipNotFoundError(user_id, friend_id)
    commit_write(session, events=events, cache=cache, records=[], groups=FRIENDSHIPS_CHANGED)


def friends_artists(
    session: Session, *, user_id: int, params: PageParams
) -> tuple[list[FriendArtist], int]:
    """Artists the user's friends listen to and the user does not.

    Ranked by how many friends listen to the artist, then by the friends' total plays of it,
    then by artist id.
    """
    own = aliased(Listen)
    theirs = aliased(Listen)
    friend_count = func.count().label("friends")
    friend_plays = func.sum(theirs.weight).label("plays")
    grouped = (
        select(theirs.artist_id.label("artist_id"), friend_count, friend_plays)
        .join(Friendship, Friendship.friend_id == theirs.user_id)
        .where(Friendship.user_id == user_id)
        .where(
            ~select(own.artist_id)
            .where(own.user_id == user_id, own.artist_id == theirs.artist_id)
            .exists()
        )
        .group_by(theirs.artist_id)
    )
    ranked = grouped.subquery("ranked")
    rows = session.execute(
        select(ranked)
        .order_by(ranked.c.friends.desc(), ranked.c.plays.desc(), ranked.c.artist_id)
        .limit(params.limit)
        .offset(params.offset)
    ).all()
    total = session.execute(select(func.count()).select_from(ranked)).scalar_one()
    items = [
        FriendArtist(artist_id=row.artist_id, friends=int(row.friends), plays=int(row.plays))
        for row in rows
    ]
    return items, int(total)
