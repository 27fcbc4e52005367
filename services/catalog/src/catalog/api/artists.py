"""Artists: list and search, detail, create, update, delete, and an artist's tags."""

from __future__ import annotations

from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, Query, Request, Response, status

from catalog.api.responses import problems
from catalog.cache import ARTISTS
from catalog.dependencies import ArtistDep, ArtistIdPath, ArtistIdsDep, get_state
from catalog.schemas.artists import (
    SUMMARY_TAGS,
    ArtistCreate,
    ArtistDetail,
    ArtistList,
    ArtistRead,
    ArtistReplace,
    ArtistSort,
    ArtistTag,
    ArtistUpdate,
)
from catalog.services import artist_lists as lists
from catalog.services import artists as service
from soundstream_common.app import CacheDep, EventsDep, ServiceState, SessionDep
from soundstream_common.pagination import Page, PageParamsDep
from soundstream_common.reads import cached_body

router = APIRouter(prefix="/artists", tags=["artists"])


@router.get(
    "",
    name="list",
    response_model=ArtistList,
    summary="List, search or batch-read artists",
    description="`q` matches anywhere in the name, ignoring letter case and accents "
    "(`beyonce` finds `Beyoncé`). `sort=relevance` (the default with `q`) puts exact "
    "matches, then names starting with `q`, then the rest, the most listened first within "
    "each; `name` is alphabetical on the normalised name (the default without `q`); "
    "`listeners` and `plays` put the most popular first. Ties are broken by id. With `ids`, "
    "the artists asked for (one call for a whole list of ids). Each item carries its "
    f"{SUMMARY_TAGS} most applied tags.",
    responses=problems(422),
)
async def list_artists(
    request: Request,
    page: PageParamsDep,
    ids: ArtistIdsDep,
    q: Annotated[
        str | None, Query(min_length=1, max_length=200, description="Name search.")
    ] = None,
    sort: Annotated[
        ArtistSort | None,
        Query(description="Order of the list (default: `relevance` with `q`, else `name`)."),
    ] = None,
) -> Response:
    state = get_state(request)
    if ids is not None:
        body = await lists.artists_by_ids_json(state, ids=ids)
    else:

        def read_page() -> bytes:
            with state.sessions() as session:
                return lists.list_artists_json(session, q=q, sort=sort, page=page)

        body = await anyio.to_thread.run_sync(read_page)
    return Response(content=body, media_type="application/json")


@router.get(
    "/{artist_id}",
    name="get",
    response_model=ArtistDetail,
    summary="An artist with listeners, plays and top tags",
    description="Cached.",
    responses=problems(404),
)
async def get_artist(request: Request, artist_id: ArtistIdPath) -> Response:
    body = await answer_artist(get_state(request), artist_id)
    return Response(content=body, media_type="application/json")


async def answer_artist(state: ServiceState, artist_id: int) -> bytes:
    """The JSON body of an artist's detail, from the cache or read."""
    engine = state.engine

    def compute() -> bytes:
        return service.artist_detail_json(engine, artist_id=artist_id)

    return await cached_body(state, ARTISTS, f"/artists/{artist_id}", compute, point_read=True)


@router.post(
    "",
    name="create",
    response_model=ArtistRead,
    status_code=status.HTTP_201_CREATED,
    summary="Create an artist",
    description="Publishes `artist.created` once committed. `Location` names the new artist.",
    responses=problems(422),
)
def create_artist(
    request: Request,
    response: Response,
    body: ArtistCreate,
    session: SessionDep,
    events: EventsDep,
    cache: CacheDep,
) -> ArtistRead:
    created = service.create_artist(session, data=body, events=events, cache=cache)
    response.headers["Location"] = f"{request.scope.get('root_path', '')}/artists/{created.id}"
    return created


@router.patch(
    "/{artist_id}",
    name="update",
    response_model=ArtistRead,
    summary="Change some of an artist's fields",
    description="Only the fields given change. A new name makes a placeholder artist a "
    "regular one.",
    responses=problems(404, 422),
)
def update_artist(
    body: ArtistUpdate, session: SessionDep, artist: ArtistDep, cache: CacheDep
) -> ArtistRead:
    changes = body.model_dump(exclude_unset=True)
    return service.update_artist(session, artist=artist, changes=changes, cache=cache)


@router.put(
    "/{artist_id}",
    name="replace",
    response_model=ArtistRead,
    summary="Replace an artist's fields",
    description="Every field is replaced; omitted links become null.",
    responses=problems(404, 422),
)
def replace_artist(
    body: ArtistReplace, session: SessionDep, artist: ArtistDep, cache: CacheDep
) -> ArtistRead:
    return service.update_artist(session, artist=artist, changes=body.model_dump(), cache=cache)


@router.delete(
    "/{artist_id}",
    name="delete",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete an artist",
    description="Its tag assignments and popularity are deleted with it; `artist.deleted` is "
    "published once committed, so the other services drop what they hold about it.",
    responses=problems(404),
)
def delete_artist(
    session: SessionDep, artist: ArtistDep, events: EventsDep, cache: CacheDep
) -> Response:
    service.delete_artist(session, artist=artist, events=events, cache=cache)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/{artist_id}/tags",
    name="tags",
    response_model=Page[ArtistTag],
    summary="An artist's tags with assignment counts",
    description="Most applied first (ties by tag id), with the number of distinct taggers.",
    responses=problems(404),
)
def artist_tags(session: SessionDep, artist: ArtistDep, page: PageParamsDep) -> Page[ArtistTag]:
    return service.artist_tags(session, artist=artist, page=page)
