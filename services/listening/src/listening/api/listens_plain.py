"""``GET /users/{id}/artists`` with plain parameters, without FastAPI's request work.

A :class:`~soundstream_common.plain_route.PlainRoute` in front of the documented route
(:func:`listening.api.listens.list_listens`): a canonical user id (1..``MAX_ID``) with at
most a plain ``limit`` (1..200) and a well-formed ``cursor``. Everything else reaches the
documented route, which validates it; both answer through
:func:`listening.api.listens.answer_user_artists`.
"""

from __future__ import annotations

from typing import Any

from listening.api.listens import answer_user_artists
from listening.schemas import MAX_ID
from soundstream_common.pagination import PageParams
from soundstream_common.plain_route import (
    PAGE_NAMES,
    PlainRoute,
    plain_int,
    plain_page,
    plain_query,
)

UserPage = tuple[int, PageParams]


class PlainUserArtistsRoute(PlainRoute[UserPage]):
    """Answers plain ``GET /users/{id}/artists`` requests (not in the OpenAPI)."""

    name = "user-artists-plain"
    prefix = "/users/"
    suffix = "/artists"

    def parse(self, segment: str, query: bytes) -> UserPage | None:
        user_id = plain_int(segment.encode(), 1, MAX_ID) if segment.isascii() else None
        given = plain_query(query, PAGE_NAMES) if user_id is not None else None
        page = plain_page(given) if given is not None else None
        if user_id is None or page is None:
            return None
        return user_id, page

    async def answer(self, state: Any, params: UserPage) -> bytes:
        return await answer_user_artists(state, *params)
