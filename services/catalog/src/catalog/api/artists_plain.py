"""``GET /artists/{id}`` without FastAPI's request work.

A :class:`~soundstream_common.plain_route.PlainRoute` in front of the documented route
(:func:`catalog.api.artists.get_artist`) for a canonical artist id (1..``MAX_ID``); the
route takes no query parameters, so any are ignored, as FastAPI ignores them. Anything else
reaches the documented route, which validates it; both answer through
:func:`catalog.api.artists.answer_artist`.
"""

from __future__ import annotations

from typing import Any

from catalog.api.artists import answer_artist
from catalog.schemas.common import MAX_ID
from soundstream_common.plain_route import PlainRoute, plain_int


class PlainArtistRoute(PlainRoute[int]):
    """Answers plain ``GET /artists/{id}`` requests (not in the OpenAPI)."""

    name = "artist-plain"
    prefix = "/artists/"

    def parse(self, segment: str, query: bytes) -> int | None:  # noqa: ARG002
        return plain_int(segment.encode(), 1, MAX_ID) if segment.isascii() else None

    async def answer(self, state: Any, params: int) -> bytes:
        return await answer_artist(state, params)
