"""``/users/{id}/friends``: the friendship graph and what friends listen to."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from listening.dependencies import FriendIdPath, ValidUserId, problem
from listening.schemas import FriendArtist, FriendCreate, FriendshipRead, UserSummary
from listening.services import friends as service
from soundstream_common.app import CacheDep, EventsDep, SessionDep
from soundstream_common.pagination import Page, PageParamsDep

router = APIRouter(prefix="/users/{user_id}/friends", tags=["friends"])


@router.get(
    "",
    name="list",
    response_model=Page[UserSummary],
    summary="The user's friends (by id) with their counts",
    responses={404: problem("No such user.")},
)
def list_friends(
    user_id: ValidUserId, session: SessionDep, params: PageParamsDep
) -> Page[UserSummary]:
    items, total = service.list_friends(session, user_id=user_id, params=params)
    return params.page(items, total)


@router.post(
    "",
    name="create",
    status_code=status.HTTP_201_CREATED,
    response_model=FriendshipRead,
    summary="Befriend another user (both directions)",
    responses={
        404: problem("No such user or friend."),
        409: problem("Already friends."),
    },
)
def add_friend(
    user_id: ValidUserId,
    payload: FriendCreate,
    session: SessionDep,
    events: EventsDep,
    cache: CacheDep,
    response: Response,
) -> FriendshipRead:
    friendship = service.add_friendship(
        session, user_id=user_id, friend_id=payload.friend_id, events=events, cache=cache
    )
    response.headers["Location"] = f"/users/{user_id}/friends/{payload.friend_id}"
    return friendship


@router.delete(
    # An integer only: /users/{id}/friends/artists is another route, not a friend id.
    "/{friend_id:int}",
    name="delete",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="End a friendship (both directions)",
    responses={404: problem("No such user, or the users are not friends.")},
)
def remove_friend(
    user_id: ValidUserId,
    friend_id: FriendIdPath,
    session: SessionDep,
    events: EventsDep,
    cache: CacheDep,
) -> Response:
    service.remove_friendship(
        session, user_id=user_id, friend_id=friend_id, events=events, cache=cache
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/artists",
    name="artists",
    response_model=Page[FriendArtist],
    summary="Artists the user's friends listen to and the user does not",
    description=(
        "Ranked by how many friends listen to the artist, then by the friends' total plays "
        "of it, then by artist id."
    ),
    responses={404: problem("No such user.")},
)
def friends_artists(
    user_id: ValidUserId, session: SessionDep, params: PageParamsDep
) -> Page[FriendArtist]:
    items, total = service.friends_artists(session, user_id=user_id, params=params)
    return params.page(items, total)
