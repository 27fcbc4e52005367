"""``GET /recommendations/users/{id}`` with plain parameters, without FastAPI's request work.

The documented route (:func:`recommender.api.recommendations.for_user`) resolves and
validates its parameters on every request, which costs about as much as answering from
memory. This :class:`~soundstream_common.plain_route.PlainRoute` takes a canonical user id
(``1``-``999999999999999999``, no leading zero) with at most ``k`` (``1``-``100``),
``exclude_listened`` and ``explain`` (``true``/``false``/``1``/``0``); everything else reaches
the documented route, which validates it. Both answer through the same function.
"""

from __future__ import annotations

from typing import Any

from recommender.api.recommendations import answer_for_user
from soundstream_common.plain_route import PlainRoute, plain_flag, plain_int, single
from soundstream_common.plain_route import plain_query as parse_query

PREFIX = "/recommendations/users/"
MAX_USER_ID = 10**18 - 1
_NAMES = (b"k", b"exclude_listened", b"explain")

ForUser = tuple[int, int, bool, bool]
"""(user id, k, exclude_listened, explain)."""


def plain_query(query: bytes) -> tuple[int, bool, bool] | None:
    """``(k, exclude_listened, explain)`` of a plain query string, or None when the request
    must be validated the normal way."""
    given = parse_query(query, _NAMES)
    if given is None:
        return None
    k = plain_int(single(given, b"k", b"10"), 1, 100)
    exclude_listened = plain_flag(single(given, b"exclude_listened", b"true"))
    explain = plain_flag(single(given, b"explain", b"false"))
    if k is None or exclude_listened is None or explain is None:
        return None
    return k, exclude_listened, explain


class PlainForUserRoute(PlainRoute[ForUser]):
    """Answers plain ``GET /recommendations/users/{id}`` requests (not in the OpenAPI)."""

    name = "for-user-plain"
    prefix = PREFIX

    def parse(self, segment: str, query: bytes) -> ForUser | None:
        user_id = plain_int(segment.encode(), 1, MAX_USER_ID) if segment.isascii() else None
        params = plain_query(query) if user_id is not None else None
        if user_id is None or params is None:
            return None
        return (user_id, *params)

    async def answer(self, state: Any, params: ForUser) -> bytes:
        return await answer_for_user(state, *params)
