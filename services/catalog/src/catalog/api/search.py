"""Granular artist search: tag combinations crossed with popularity."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import StringConstraints

from catalog.api.responses import problems
from catalog.cache import SEARCH, query_key
from catalog.dependencies import DateRangeDep, PopularityBoundsDep, get_state
from catalog.schemas.search import ArtistSearchPage, MatchMode, SearchSort
from catalog.services import search as service
from catalog.services.bounds import PopularityBounds
from catalog.services.queries import DateRange
from catalog.state import CatalogState
from soundstream_common.pagination import PageParams, PageParamsDep
from soundstream_common.reads import cached_body

router = APIRouter(prefix="/search", tags=["search"])

TagValue = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
TagValues = Annotated[
    list[TagValue],
    Query(
        alias="tag",
        min_length=1,
        max_length=service.MAX_TAGS,
        description="A tag value (any letter case, not blank); repeat for several, at most 10.",
        examples=[["rock", "80s"]],
    ),
]


@router.get(
    "/artists",
    name="artists",
    response_model=ArtistSearchPage,
    summary="Find artists by tag combination and popularity",
    description="`match=all` keeps artists carrying every tag, `any` those carrying at least "
    "one. Tag values that name no tag are listed in `unknown_tags` and match nothing (with "
    "`match=all` the result is then empty). Popularity bounds are inclusive. "
    "`relevance` = sum over the matched tags of ln(1 + times the tag was applied to the "
    "artist). `sort=relevance` (ties: listeners, then id), `listeners` or `plays` (ties: "
    "relevance, then id). With `from`/`to` (days included), only the tags assigned within "
    "those days count, in the match and in the relevance (assignments with an impossible "
    "source date never do). Cached.",
    responses=problems(422),
)
async def search_artists(
    request: Request,
    page: PageParamsDep,
    bounds: PopularityBoundsDep,
    dates: DateRangeDep,
    tags: TagValues,
    match: Annotated[MatchMode, Query(description="Every tag, or any of them.")] = MatchMode.all,
    sort: Annotated[SearchSort, Query(description="Order of the results.")] = SearchSort.relevance,
) -> Response:
    query = SearchQuery(tags, match, sort, bounds, page, partial(query_key, request), dates)
    body = await answer_search(get_state(request), query)
    return Response(content=body, media_type="application/json")


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """A validated search and how to name it in the cache."""

    tags: list[str]
    match: MatchMode
    sort: SearchSort
    bounds: PopularityBounds
    page: PageParams
    key: Callable[[], str]
    """The cache key (only computed when there is a cache)."""
    dates: DateRange
    """Only the assignments dated within these days count (the index holds no dates)."""


async def answer_search(state: CatalogState, query: SearchQuery) -> bytes:
    """The JSON body of a validated search, from the cache or computed."""
    tag_index = state.tag_index
    search = partial(
        service.search_artists_json,
        tags=query.tags,
        match=query.match,
        bounds=query.bounds,
        sort=query.sort,
        page=query.page,
        dates=query.dates,
    )

    def compute() -> bytes:
        # In the thread pool: a fresh index answers from memory (NumPy, no SQL), else (or
        # for a search bounded by dates: the index holds none) the grouped query runs.
        index = None if query.dates.bounded else tag_index.current()
        if index is not None:
            return search(index)
        with state.sessions() as session:
            return search(session)

    return await cached_body(state, SEARCH, query.key, compute)
