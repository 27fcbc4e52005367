"""The gateway's aggregated views: enriched recommendations, user profiles, artist pages."""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Path, Query, Request, Response

from gateway import aggregates
from gateway.api.responses import problems
from gateway.auth import requires
from gateway.clients import Upstreams
from gateway.forwarding import cached_json
from gateway.schemas.gateway import ArtistPage, EnrichedRecommendations, UserProfile
from gateway.state import gateway_state
from soundstream_common.ids import MAX_ID
from soundstream_common.pagination import MAX_LIMIT

UserIdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="User id.", examples=[2])]
ArtistIdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="Artist id.", examples=[89])]

recommendations = APIRouter(tags=["recommendations"])
users = APIRouter(tags=["users"])
artists = APIRouter(tags=["artists"])


def _upstreams(request: Request) -> Upstreams:
    return gateway_state(request).upstreams


@recommendations.get(
    "/v1/recommendations/users/{user_id}",
    name="for-user",
    response_model=EnrichedRecommendations,
    summary="Artists recommended to a user, with names, links, pictures and top tags",
    description="The recommender's list (same parameters) with each artist's catalog name, "
    "Last.fm URL, picture and up to 5 most applied tags. Cached briefly.",
    responses=problems(404),
    **requires("read"),
)
async def for_user(
    request: Request,
    user_id: UserIdPath,
    k: Annotated[int, Query(ge=1, le=100, description="Number of artists.")] = 10,
    exclude_listened: Annotated[
        bool, Query(description="Leave out artists the user already listened to.")
    ] = True,
    explain: Annotated[bool, Query(description="Add the reasons of each artist.")] = False,
) -> Response:
    query = {"k": k, "exclude_listened": exclude_listened, "explain": explain}

    async def compute() -> bytes:
        found = await aggregates.enriched_recommendations(_upstreams(request), user_id, query)
        return orjson.dumps(found)

    return await cached_json(request, compute)


@users.get(
    "/v1/users/{user_id}/profile",
    name="profile",
    response_model=UserProfile,
    summary="A user's summary, top artists, friends and recommendations",
    description="One call instead of four (one to the listening service and one to the "
    "recommender, concurrently), every artist named. When the recommender cannot answer, "
    "`recommendations` is null and `unavailable` names it.",
    responses=problems(404),
    **requires("read"),
)
async def profile(
    request: Request,
    user_id: UserIdPath,
    artists: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description="How many of the most played artists.")
    ] = aggregates.PROFILE_TOP_ARTISTS,
    friends: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description="How many friends.")
    ] = aggregates.PROFILE_FRIENDS,
) -> Response:
    async def compute() -> bytes:
        found = await aggregates.user_profile(
            _upstreams(request), user_id, artists=artists, friends=friends
        )
        return orjson.dumps(found)

    return await cached_json(request, compute)


@artists.get(
    "/v1/artists/{artist_id}/page",
    name="page",
    response_model=ArtistPage,
    summary="An artist's details, top tags, listeners and similar artists",
    description="One call instead of several (catalog and recommender, concurrently). When the "
    "recommender cannot answer, `similar` is null and `unavailable` names it.",
    responses=problems(404),
    **requires("read"),
)
async def page(request: Request, artist_id: ArtistIdPath) -> Response:
    async def compute() -> bytes:
        return orjson.dumps(await aggregates.artist_page(_upstreams(request), artist_id))

    return await cached_json(request, compute)
