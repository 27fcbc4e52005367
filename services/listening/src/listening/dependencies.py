"""Request dependencies: validated path ids, the engine, cached JSON responses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Path, Query, Request, Response
from pydantic import BaseModel
from sqlalchemy import Engine

from listening.services.users import require_user
from listening.state import ListeningState
from soundstream_common.app import SessionDep, service_state
from soundstream_common.batch import batch_ids
from soundstream_common.cache import ResponseCache
from soundstream_common.errors import Problem
from soundstream_common.ids import MAX_ID
from soundstream_common.pagination import MAX_LIMIT, PageParams, decode_cursor

UserIdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="User id.", examples=[2])]
ArtistIdPath = Annotated[
    int, Path(ge=1, le=MAX_ID, description="Catalog artist id.", examples=[289])
]
FriendIdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="The friend's user id.")]


def valid_user_id(user_id: UserIdPath, session: SessionDep) -> int:
    """The path's user id, once the user is known to exist (else 404)."""
    require_user(session, user_id=user_id)
    return user_id


ValidUserId = Annotated[int, Depends(valid_user_id)]
UserIdsDep = Annotated[
    list[int] | None, Depends(batch_ids("users", ("sort", "limit", "cursor"), "2,3,4"))
]


def get_state(request: Request) -> ListeningState:
    return service_state(request.app, ListeningState)


async def get_engine(request: Request) -> Engine:
    return get_state(request).engine


EngineDep = Annotated[Engine, Depends(get_engine)]

TOP_DEFAULT_LIMIT = 10


async def top_page_params(
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description="How many artists (1..200).")
    ] = TOP_DEFAULT_LIMIT,
    cursor: Annotated[
        str | None,
        Query(max_length=200, description="Opaque cursor from a previous page's next_cursor."),
    ] = None,
) -> PageParams:
    """Like the standard page parameters, but a top list shows 10 by default."""
    return PageParams(limit=limit, offset=decode_cursor(cursor) if cursor else 0)


TopPageParamsDep = Annotated[PageParams, Depends(top_page_params)]


def cached_json(
    cache: ResponseCache, group: str, key: str, build: Callable[[], BaseModel]
) -> Response:
    """``build()``'s JSON, served from the cache group ``group`` when fresh."""
    content = cache.get_or_compute(group, key, lambda: build().model_dump_json().encode())
    return Response(content, media_type="application/json")


def problem(description: str) -> dict[str, object]:
    """An OpenAPI ``responses`` entry for a problem+json error."""
    return {"model": Problem, "description": description}
