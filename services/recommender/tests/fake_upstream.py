"""What the recommender reads from the listening and catalog services while serving
(friends' artists, a user's tag assignments, a tag's artists), computed from a synthetic
snapshot in the services' answer shapes, plus users who exist upstream but are not in it."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, HTTPException

from recommender.algorithms.snapshot import Snapshot


@dataclass
class UpstreamUsers:
    """Users created after the snapshot: their friends and the tags they applied."""

    friends: dict[int, list[int]] = field(default_factory=dict)
    tags: dict[int, list[int]] = field(default_factory=dict)


def _page(items: list[dict[str, Any]], limit: int) -> dict[str, Any]:
    return {"items": items[:limit], "total": len(items), "limit": limit, "next_cursor": None}


def friends_artists(snapshot: Snapshot, extra: UpstreamUsers, user_id: int) -> list[Any]:
    """The listening service's ranking: most friends first, then their plays, then id."""
    listens = snapshot.listens
    known = set(listens.user_ids.tolist()) | set(snapshot.friendships.user_ids.tolist())
    if user_id not in known and user_id not in extra.friends:
        raise HTTPException(404, "no such user")
    friendships = snapshot.friendships
    friends = set(friendships.friend_ids[friendships.user_ids == user_id].tolist())
    friends |= set(extra.friends.get(user_id, []))
    own = set(listens.artist_ids[listens.user_ids == user_id].tolist())
    fans: dict[int, int] = Counter()
    plays: dict[int, float] = defaultdict(float)
    for user, artist, weight in zip(
        listens.user_ids.tolist(),
        listens.artist_ids.tolist(),
        listens.weights.tolist(),
        strict=True,
    ):
        if user in friends and artist not in own:
            fans[artist] += 1
            plays[artist] += weight
    ranked = sorted(fans, key=lambda a: (-fans[a], -plays[a], a))
    return [{"artist_id": a, "friends": fans[a], "plays": int(plays[a])} for a in ranked]


def tag_artists(snapshot: Snapshot, tag_id: int) -> list[Any]:
    """The catalog's ranking: most assignments of the tag first, then id."""
    assert snapshot.tags is not None
    counts = Counter(snapshot.tags.artist_ids[snapshot.tags.tag_ids == tag_id].tolist())
    if not counts:
        raise HTTPException(404, "no such tag")
    return [{"id": a, "count": c} for a, c in sorted(counts.items(), key=lambda i: (-i[1], i[0]))]


def add_routes(app: FastAPI, snapshot: Snapshot, extra: UpstreamUsers) -> None:
    @app.get("/users/{user_id}/friends/artists")
    def friends(user_id: int, limit: int = 20) -> dict[str, Any]:
        return _page(friends_artists(snapshot, extra, user_id), limit)

    @app.get("/tag-assignments")
    def assignments(user_id: int, limit: int = 20) -> dict[str, Any]:
        assert snapshot.tags is not None
        tags = snapshot.tags.tag_ids[snapshot.tags.user_ids == user_id].tolist()
        tags += extra.tags.get(user_id, [])
        return _page([{"user_id": user_id, "tag_id": t} for t in tags], limit)

    @app.get("/tags/{tag_id}/artists")
    def artists(tag_id: int, limit: int = 20) -> dict[str, Any]:
        return _page(tag_artists(snapshot, tag_id), limit)
