"""``/users``: list, get, create, delete."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, Response, status

from listening import caching
from listening.dependencies import ValidUserId, cached_json, problem
from listening.schemas import UserCreate, UserRead, UserSort, UserSummary
from listening.service import users as service
from soundstream_common.app import CacheDep, EventsDep, SessionDep
from soundstream_common.pagination import Page, PageParamsDep

router = APIRouter(prefix="/users", tags=["users"])


@router.get(
    "",
    name="list",
    response_model=Page[UserSummary],
    summary="List users with their plays, artists and friends",
)
def list_users(
    session: SessionDep,
    cache: CacheDep,
    params: PageParamsDep,
    sort: Annotated[
        UserSort,
        Query(
            description="`id` ascending, or `plays`/`artists`/`friends` descending (ties by id)."
        ),
    ] = "id",
) -> Response:
    def build() -> Page[UserSummary]:
        items, total = service.list_users(session, sort=sort, params=params)
        return params.page(items, total)

    key = f"list:{sort}:{params.limit}:{params.offset}"
    return cached_json(cache, caching.USERS, key, build)


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
        caching.USERS,
        f"user:{user_id}",
        lambda: service.get_user(session, user_id=user_id),
    )


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
