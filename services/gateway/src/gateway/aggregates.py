"""The gateway's aggregated views: each one call for the client, concurrent calls upstream.

Core parts (the user, the artist) fail the whole answer with the upstream's own status; the
recommender's parts are optional: when it cannot answer, the view says so in ``unavailable``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar

import httpx

from gateway.clients import CATALOG, LISTENING, RECOMMENDER, UpstreamError, Upstreams
from gateway.schemas import gateway as views

ENRICHED_TAGS = 5
PROFILE_TOP_ARTISTS = 10
PROFILE_FRIENDS = 50
PROFILE_RECOMMENDATIONS = 10
PAGE_SIMILAR = 10

T = TypeVar("T")


class UpstreamAnswerError(Exception):
    """An upstream answered a gateway-composed call with an error: passed to the client."""

    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"upstream answered {response.status_code}")
        self.response = response


async def get_json(
    upstreams: Upstreams, upstream: str, path: str, query: dict[str, Any] | None = None
) -> Any:
    response = await upstreams[upstream].request("GET", path, query=query)
    if response.status_code != 200:
        raise UpstreamAnswerError(response)
    return response.json()


async def artist_details(upstreams: Upstreams, artist_ids: list[int]) -> dict[int, Any]:
    """Catalog details of each artist (absent ids left out), fetched concurrently."""

    async def one(artist_id: int) -> Any:
        response = await upstreams[CATALOG].request("GET", f"/artists/{artist_id}")
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise UpstreamAnswerError(response)
        return response.json()

    found = await asyncio.gather(*(one(artist_id) for artist_id in dict.fromkeys(artist_ids)))
    return {detail["id"]: detail for detail in found if detail is not None}


def _summary(artist_id: int, detail: dict[str, Any] | None) -> dict[str, Any]:
    detail = detail or {}
    return {
        "id": artist_id,
        "name": detail.get("name"),
        "url": detail.get("url"),
        "picture_url": detail.get("picture_url"),
    }


async def enriched_recommendations(
    upstreams: Upstreams, user_id: int, query: dict[str, Any]
) -> views.EnrichedRecommendations:
    raw = await get_json(upstreams, RECOMMENDER, f"/recommendations/users/{user_id}", query)
    details = await artist_details(upstreams, [item["artist_id"] for item in raw["items"]])
    items = []
    for item in raw["items"]:
        detail = details.get(item["artist_id"], {})
        summary = _summary(item["artist_id"], detail)
        summary.pop("id")
        items.append({**item, **summary, "top_tags": detail.get("top_tags", [])[:ENRICHED_TAGS]})
    return views.EnrichedRecommendations.model_validate({**raw, "items": items})


async def _optional(upstream: str, call: Awaitable[T]) -> tuple[T | None, str | None]:
    """(the result, None), or (None, the upstream's name) when that upstream cannot answer."""
    try:
        return await call, None
    except UpstreamError as exc:
        return None, exc.upstream
    except UpstreamAnswerError as exc:
        if exc.response.status_code >= 500:
            return None, upstream
        if exc.response.status_code == 404:  # nothing known there about it: an empty part
            return None, None
        raise


def _raised(part: T | BaseException) -> T:
    """A part gathered with ``return_exceptions``: its value, or its error raised."""
    if isinstance(part, BaseException):
        raise part
    return part


async def user_profile(upstreams: Upstreams, user_id: int) -> views.UserProfile:
    parts = await asyncio.gather(
        get_json(upstreams, LISTENING, f"/users/{user_id}"),
        get_json(upstreams, LISTENING, f"/users/{user_id}/artists", {"limit": PROFILE_TOP_ARTISTS}),
        get_json(upstreams, LISTENING, f"/users/{user_id}/friends", {"limit": PROFILE_FRIENDS}),
        _optional(
            RECOMMENDER,
            enriched_recommendations(upstreams, user_id, {"k": PROFILE_RECOMMENDATIONS}),
        ),
        return_exceptions=True,
    )
    # Whichever part fails first in time, the parts decide in this order: a user the
    # listening service does not know is its 404, not a recommender's complaint.
    user, top, friends = _raised(parts[0]), _raised(parts[1]), _raised(parts[2])
    recommendations, missing = _raised(parts[3])
    details = await artist_details(upstreams, [item["artist_id"] for item in top["items"]])
    return views.UserProfile(
        user=user,
        top_artists=[
            {**_summary(i["artist_id"], details.get(i["artist_id"])), "weight": i["weight"]}
            for i in top["items"]
        ],
        friends=friends["items"],
        friend_count=friends["total"],
        recommendations=recommendations,
        unavailable=[missing] if missing else [],
    )


async def artist_page(upstreams: Upstreams, artist_id: int) -> views.ArtistPage:
    detail, (similar, missing) = await asyncio.gather(
        get_json(upstreams, CATALOG, f"/artists/{artist_id}"),
        _optional(
            RECOMMENDER,
            get_json(upstreams, RECOMMENDER, f"/artists/{artist_id}/similar", {"k": PAGE_SIMILAR}),
        ),
    )
    similar_artists: list[dict[str, Any]] | None = None if missing else []
    if similar is not None:
        neighbours = similar["items"]
        details = await artist_details(upstreams, [n["id"] for n in neighbours])
        similar_artists = [
            {**_summary(n["id"], details.get(n["id"])), "score": n["score"]} for n in neighbours
        ]
    return views.ArtistPage(
        artist=detail,
        top_tags=detail["top_tags"],
        listeners=detail["listeners"],
        plays=detail["plays"],
        similar=similar_artists,
        unavailable=[missing] if missing else [],
    )
