"""The gateway's aggregated views: one call for the client, one call per upstream behind it.

The answers are built as plain JSON values from the upstreams' (already validated) answers:
their shapes are the models of :mod:`gateway.schemas.gateway`, which document them.

Each view asks every upstream it needs at most once per part (concurrently where the parts
are independent) and names every artist it lists with one catalog batch read
(:mod:`gateway.naming`), never one call per artist. Core parts (the user, the artist) fail
the whole answer with the upstream's own status; the recommender's parts are optional: when
it cannot answer, the view says so in ``unavailable``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar

from gateway.clients import CATALOG, LISTENING, RECOMMENDER, UpstreamError, Upstreams
from gateway.naming import (
    Summaries,
    UpstreamAnswerError,
    artist_summaries,
    cited_artists,
    get_json,
    name_reasons,
)

PROFILE_TOP_ARTISTS = 10
PROFILE_FRIENDS = 50
PROFILE_RECOMMENDATIONS = 10
PAGE_SIMILAR = 10

T = TypeVar("T")


def _summary(artist_id: int, summaries: Summaries) -> dict[str, Any]:
    """An artist's name, links and top tags (nulls for an artist the catalog lacks)."""
    found = summaries.get(artist_id) or {}
    return {
        "id": artist_id,
        "name": found.get("name"),
        "url": found.get("url"),
        "picture_url": found.get("picture_url"),
        "top_tags": found.get("top_tags", []),
    }


def _enrich(raw: dict[str, Any], summaries: Summaries) -> dict[str, Any]:
    """An ``EnrichedRecommendations`` answer: the recommender's, each item named."""
    items = raw["items"]
    name_reasons(items, summaries)
    enriched = []
    for item in items:
        summary = _summary(item["artist_id"], summaries)
        del summary["id"]
        enriched.append({**item, **summary})
    return {**raw, "items": enriched}


def _listed_artists(raw: dict[str, Any]) -> list[int]:
    """The artists a recommender answer lists or its reasons cite."""
    items = raw["items"]
    return [item["artist_id"] for item in items] + cited_artists(items)


async def enriched_recommendations(
    upstreams: Upstreams, user_id: int, query: dict[str, Any]
) -> dict[str, Any]:
    """The ``EnrichedRecommendations`` answer for a user."""
    raw = await get_json(upstreams, RECOMMENDER, f"/recommendations/users/{user_id}", query)
    return _enrich(raw, await artist_summaries(upstreams, _listed_artists(raw)))


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


async def user_profile(
    upstreams: Upstreams,
    user_id: int,
    *,
    artists: int = PROFILE_TOP_ARTISTS,
    friends: int = PROFILE_FRIENDS,
) -> dict[str, Any]:
    """The ``UserProfile`` answer for a user: one listening call, one recommender call."""
    query = {"k": PROFILE_RECOMMENDATIONS}
    profile_query = {"artists": artists, "friends": friends}
    parts = await asyncio.gather(
        get_json(upstreams, LISTENING, f"/users/{user_id}/profile", profile_query),
        _optional(
            RECOMMENDER,
            get_json(upstreams, RECOMMENDER, f"/recommendations/users/{user_id}", query),
        ),
        return_exceptions=True,
    )
    # Whichever part fails first in time, the parts decide in this order: a user the
    # listening service does not know is its 404, not a recommender's complaint.
    profile = _raised(parts[0])
    user, top, friend_page = profile["user"], profile["top_artists"], profile["friends"]
    recommended, missing = _raised(parts[1])
    listed = [item["artist_id"] for item in top["items"]]
    if recommended is not None:
        listed += _listed_artists(recommended)
    summaries = await artist_summaries(upstreams, listed)
    top_artists = []
    for item in top["items"]:
        summary = _summary(item["artist_id"], summaries)
        del summary["top_tags"]
        top_artists.append({**summary, "weight": item["weight"]})
    return {
        "user": user,
        "top_artists": top_artists,
        "friends": friend_page["items"],
        "friend_count": friend_page["total"],
        "recommendations": None if recommended is None else _enrich(recommended, summaries),
        "unavailable": [missing] if missing else [],
    }


async def artist_page(upstreams: Upstreams, artist_id: int) -> dict[str, Any]:
    """The ``ArtistPage`` answer for an artist."""
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
        summaries = await artist_summaries(upstreams, [n["id"] for n in neighbours])
        similar_artists = []
        for neighbour in neighbours:
            summary = _summary(neighbour["id"], summaries)
            del summary["top_tags"]
            similar_artists.append({**summary, "score": neighbour["score"]})
    return {
        "artist": detail,
        "top_tags": detail["top_tags"],
        "listeners": detail["listeners"],
        "plays": detail["plays"],
        "similar": similar_artists,
        "unavailable": [missing] if missing else [],
    }
