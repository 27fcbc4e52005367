"""``/users``: list, get, create, delete."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, Request, Response, status

from listening.cache import USERS
from listening.dependencies import (
    UserIdPath,
    UserIdsDep,
    ValidUserId,
    cached_json,
    get_state,
    problem,
)
from listening.schemas import (
    UserCreate,
    UserList,
    UserProfile,
    UserRead,
    UserSort,
    UserSummary,
)
from listening.services import users as service
from listening.services.profiles import user_profile_json
from soundstream_common.app import CacheDep, EventsDep, SessionDep
from soundstream_common.pagination import MAX_LIMIT, PageParamsDep
from soundstream_common.reads import cached_body

router = APIRouter(prefix="/users", tags=["users"])


@router.get(
    "",
    name="list",
    response_model=UserList,
    summary="List or batch-read users with their plays, artists and friends",
    description="With `ids`, the users asked for (one call for a whole list of ids).",
)
def list_users(
    session: SessionDep,
    cache: CacheDep,
    params: PageParamsDep,
    ids: UserIdsDep,
    sort: Annotated[
        UserSort,
        Query(
            description="`id` ascending, or `plays`/`artists`/`friends` descending (ties by id)."
        ),
    ] = "id",
) -> Response:
    if ids is not None:
        return Response(service.users_by_ids_json(session, ids=ids), media_type="application/json")

    def build() -> UserList:
        items, total = service.list_users(session, sort=sort, params=params)
        return UserList.model_validate(params.page(items, total), from_attributes=True)

    key = f"list:{sort}:{params.limit}:{params.offset}"
    return cached_json(cache, USERS, key, build)


@router.get(
    "/{user_id}",
    name="get",
    response_model=UserRead,
    summary="A user's summary and listening diversity",
    responses={404: problem("No such user.")},
)
def get_user(user_id: ValidUserId, session: SessionDep, cache: CacheDep) -> Response:
    return cached_json(
        cache,
        USERS,
        f"user:{user_id}",
        lambda: service.get_user(session, user_id=user_id),
    )


@router.get(
    "/{user_id}/profile",
    name="profile",
    response_model=UserProfile,
    summary="A user's summary, most played artists and friends, in one read",
    description="The first pages of `/users/{id}/artists` and `/users/{id}/friends` beside the "
    "user's summary: what a profile page shows, without three calls. Cached.",
    responses={404: problem("No such user.")},
)
async def get_profile(
    request: Request,
    user_id: UserIdPath,
    artists: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description="How many of the most played artists.")
    ] = 10,
    friends: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="How many friends.")] = 50,
) -> Response:
    state = get_state(request)

    def compute() -> bytes:  # 404 for a user that does not exist (a cached one did)
        with state.sessions() as session:
            return user_profile_json(session, user_id=user_id, artists=artists, friends=friends)

    key = f"profile:{user_id}:{artists}:{friends}"
    content = await cached_body(state, USERS, key, compute, point_read=True)
    return Response(content, media_type="application/json")


@router.post(
    "",
    name="create",
    status_code=status.HTTP_201_CREATED,
    response_model=UserSummary,
    summary="Create a user (with an explicit id, or the next free one)",
    responses={409: problem("The id is taken.")},
)
def create_user(
    session: SessionDep,
    events: EventsDep,
    cache: CacheDep,
    response: Response,
    payload: Annotated[UserCreate | None, Body()] = None,
) -> UserSummary:
    user = service.create_user(
        session,
        user_id=payload.id if payload else None,
        events=events,
        cache=cache,
    )
    response.headers["Location"] = f"/users/{user.id}"
    return user


@router.delete(
    "/{user_id}",
    name="delete",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a user with their listens and friendships",
    responses={404: problem("No such user.")},
)
def delete_user(
    user_id: ValidUserId, session: SessionDep, events: EventsDep, cache: CacheDep
) -> Response:
    service.delete_user(session, user_id=user_id, events=events, cache=cache)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
