"""Validating dependencies: path ids that must name a row, and cross-field query checks."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Query, Request
from sqlalchemy import Engine

from catalog.exceptions import InvalidRangeError
from catalog.models import Artist, Tag
from catalog.services import artists, tags
from catalog.services.bounds import PopularityBounds
from catalog.services.queries import DateRange
from catalog.state import CatalogState
from soundstream_common.app import SessionDep, service_state
from soundstream_common.batch import batch_ids
from soundstream_common.fields import IsoDay
from soundstream_common.ids import MAX_ID

ArtistIdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="Artist id.", examples=[89])]
TagIdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="Tag id.", examples=[73])]
MAX_COUNT = 2**63 - 1


def get_state(request: Request) -> CatalogState:
    return service_state(request.app, CatalogState)


async def get_engine(request: Request) -> Engine:
    return get_state(request).engine


def valid_artist(session: SessionDep, artist_id: ArtistIdPath) -> Artist:
    """The artist named by the path (404 ``artist-not-found`` otherwise)."""
    return artists.get_artist(session, artist_id=artist_id)


def valid_tag(session: SessionDep, tag_id: TagIdPath) -> Tag:
    """The tag named by the path (404 ``tag-not-found`` otherwise)."""
    return tags.get_tag(session, tag_id=tag_id)


async def date_range(
    start: Annotated[
        IsoDay | None,
        Query(alias="from", description="First day included (YYYY-MM-DD)."),
    ] = None,
    end: Annotated[
        IsoDay | None,
        Query(alias="to", description="Last day included (YYYY-MM-DD); not before `from`."),
    ] = None,
) -> DateRange:
    if start is not None and end is not None and start > end:
        raise InvalidRangeError("from", "to")
    return DateRange(start, end)


async def popularity_bounds(
    min_listeners: Annotated[
        int | None, Query(ge=0, le=MAX_COUNT, description="At least this many listeners.")
    ] = None,
    max_listeners: Annotated[
        int | None, Query(ge=0, le=MAX_COUNT, description="At most this many listeners.")
    ] = None,
    min_plays: Annotated[
        int | None, Query(ge=0, le=MAX_COUNT, description="At least this many plays.")
    ] = None,
    max_plays: Annotated[
        int | None, Query(ge=0, le=MAX_COUNT, description="At most this many plays.")
    ] = None,
) -> PopularityBounds:
    for low, high, low_name, high_name in (
        (min_listeners, max_listeners, "min_listeners", "max_listeners"),
        (min_plays, max_plays, "min_plays", "max_plays"),
    ):
        if low is not None and high is not None and low > high:
            raise InvalidRangeError(low_name, high_name)
    return PopularityBounds(min_listeners, max_listeners, min_plays, max_plays)


artist_ids = batch_ids("artists", ("q", "sort", "limit", "cursor"), "89,289,72")
ArtistIdsDep = Annotated[list[int] | None, Depends(artist_ids)]
ArtistDep = Annotated[Artist, Depends(valid_artist)]
TagDep = Annotated[Tag, Depends(valid_tag)]
DateRangeDep = Annotated[DateRange, Depends(date_range)]
PopularityBoundsDep = Annotated[PopularityBounds, Depends(popularity_bounds)]
EngineDep = Annotated[Engine, Depends(get_engine)]
