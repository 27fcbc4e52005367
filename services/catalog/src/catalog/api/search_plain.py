"""``GET /search/artists`` with plain parameters, without FastAPI's request work.

A :class:`~soundstream_common.plain_route.PlainRoute` in front of the documented route
(:func:`catalog.api.search.search_artists`). It takes 1 to 10 ``tag`` values (not blank, at
most 255 characters) and, each at most once and in canonical form, ``match``, ``sort``,
``limit`` (1..200), a well-formed ``cursor`` and the popularity bounds (low not above high).
Everything else reaches the documented route, which validates it. Both answer through
:func:`catalog.api.search.answer_search`, with the same cache key.
"""

from __future__ import annotations

from functools import partial
from typing import Any
from urllib.parse import parse_qsl

from catalog.api.search import SearchQuery, answer_search
from catalog.cache import canonical_key
from catalog.dependencies import MAX_COUNT
from catalog.schemas.search import MatchMode, SearchSort
from catalog.services.search import MAX_TAGS, PopularityBounds
from soundstream_common.plain_route import (
    PAGE_NAMES,
    PlainRoute,
    Query,
    plain_int,
    plain_page,
    plain_query,
    single,
)

PATH = "/search/artists"
MAX_TAG_LENGTH = 255
_BOUNDS = (b"min_listeners", b"max_listeners", b"min_plays", b"max_plays")
_NAMES = frozenset((b"tag", b"match", b"sort", *PAGE_NAMES, *_BOUNDS))
_MATCH = {mode.value.encode(): mode for mode in MatchMode}
_SORT = {sort.value.encode(): sort for sort in SearchSort}


def plain_tags(given: Query) -> list[str] | None:
    values = given.get(b"tag", [])
    if not 0 < len(values) <= MAX_TAGS:
        return None
    for value in values:
        if not 0 < len(value) <= MAX_TAG_LENGTH or value.strip() != value:
            return None
    return [value.decode("ascii") for value in values]


def plain_bounds(given: Query) -> PopularityBounds | None:
    values: list[int | None] = []
    for name in _BOUNDS:
        raw = given.get(name)
        value = plain_int(raw[0], 0, MAX_COUNT) if raw else None
        if raw and value is None:
            return None
        values.append(value)
    min_listeners, max_listeners, min_plays, max_plays = values
    for low, high in ((min_listeners, max_listeners), (min_plays, max_plays)):
        if low is not None and high is not None and low > high:
            return None
    return PopularityBounds(min_listeners, max_listeners, min_plays, max_plays)


def plain_search(query: bytes) -> SearchQuery | None:
    """The search a plain query string asks for, or None when it must be validated."""
    given = plain_query(query, _NAMES, repeatable=(b"tag",))
    if given is None:
        return None
    tags = plain_tags(given)
    match = _MATCH.get(single(given, b"match", b"all"))
    sort = _SORT.get(single(given, b"sort", b"relevance"))
    page = plain_page(given)
    bounds = plain_bounds(given)
    if tags is None or match is None or sort is None or page is None or bounds is None:
        return None
    return SearchQuery(tags, match, sort, bounds, page, partial(plain_key, query))


def plain_key(query: bytes) -> str:
    """The cache key the documented route gives the same request."""
    return canonical_key(PATH, parse_qsl(query.decode("ascii"), keep_blank_values=True))


class PlainSearchRoute(PlainRoute[SearchQuery]):
    """Answers plain ``GET /search/artists`` requests (not in the OpenAPI)."""

    name = "search-artists-plain"
    path = PATH

    def parse(self, segment: str, query: bytes) -> SearchQuery | None:  # noqa: ARG002
        return plain_search(query)

    async def answer(self, state: Any, params: SearchQuery) -> bytes:
        return await answer_search(state, params)
