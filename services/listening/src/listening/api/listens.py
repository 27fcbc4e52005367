"""``/users/{id}/artists``: a user's listens (plays per artist)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response, status

from listening.cache import USERS
from listening.dependencies import ArtistIdPath, UserIdPath, ValidUserId, get_state, problem
from listening.schemas import ListenPatch, ListenPut, ListenRead
from listening.services import listens as service
from soundstream_common.app import CacheDep, EventsDep, ServiceState, SessionDep
from soundstream_common.pagination import Page, PageParams, PageParamsDep
from soundstream_common.reads import cached_body

router = APIRouter(prefix="/users/{user_id}/artists", tags=["listens"])

PUT_RESPONSES: dict[int | str, dict[str, Any]] = {
    201: {"model": ListenRead, "description": "Listen created."},
    404: problem("No such user, or the artist is unknown to the catalog."),
}


@router.get(
    "",
    name="list",
    response_model=Page[ListenRead],
    summary="The user's artists, most played first",
    description="Cached.",
    responses={404: problem("No such user.")},
)
async def list_listens(request: Request, user_id: UserIdPath, params: PageParamsDep) -> Response:
    body = await answer_user_artists(get_state(request), user_id, params)
    return Response(content=body, media_type="application/json")


async def answer_user_artists(state: ServiceState, user_id: int, params: PageParams) -> bytes:
    """The JSON body of one page of a user's artists, from the cache or read."""
    engine = state.engine

    def compute() -> bytes:
        return service.user_artists_json(engine, user_id=user_id, params=params)

    key = f"artists:{user_id}:{params.limit}:{params.offset}"
    return await cached_body(state, USERS, key, compute, point_read=True)


@router.put(
    "/{artist_id}",
    name="replace",
    response_model=ListenRead,
    summary="Set the user's play count of an artist (201 when new, 200 when replaced)",
    responses=PUT_RESPONSES,
)
def put_listen(
    user_id: ValidUserId,
    artist_id: ArtistIdPath,
    payload: ListenPut,
    session: SessionDep,
    events: EventsDep,
    cache: CacheDep,
    response: Response,
) -> ListenRead:
    listen, created = service.put_listen(
        session,
        user_id=user_id,
        artist_id=artist_id,
        weight=payload.weight,
        events=events,
        cache=cache,
    )
    if created:
        response.status_code = status.HTTP_201_CREATED
        response.headers["Location"] = f"/users/{user_id}/artists/{artist_id}"
    return listen


@router.patch(
    "/{artist_id}",
    name="update",
    response_model=ListenRead,
    summary="Add plays to an existing listen",
    responses={404: problem("No such user or artist, or the user has no plays of it.")},
)
def patch_listen(
    user_id: ValidUserId,
    artist_id: ArtistIdPath,
    payload: ListenPatch,
    session: SessionDep,
    events: EventsDep,
    cache: CacheDep,
) -> ListenRead:
    return service.add_plays(
        session,
        user_id=user_id,
        artist_id=artist_id,
        plays=payload.add_plays,
        events=events,
        cache=cache,
    )


@router.delete(
    "/{artist_id}",
    name="delete",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove the user's plays of an artist",
    responses={404: problem("No such user or artist, or the user has no plays of it.")},
)
def delete_listen(
    user_id: ValidUserId,
    artist_id: ArtistIdPath,
    session: SessionDep,
    events: EventsDep,
    cache: CacheDep,
) -> Response:
    service.delete_listen(session, user_id=user_id, artist_id=artist_id, events=events, cache=cache)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
