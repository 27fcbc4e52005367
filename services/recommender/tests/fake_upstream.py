"""What the recommender reads from the listening and catalog services while serving
(friends' artists, a user's tag assignments, a tag's artists), computed from a synthetic
snapshot in the services' answer shapes, plus users who exist upstream but are not in it."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, HTTPException

from recommender.algorithms.snapshot import Snapshot
from recommender.upstream import folded


@dataclass
class UpstreamUsers:
    """Users created after the snapshot: their friends and the tags they applied."""

    friends: dict[int, list[int]] = field(default_factory=dict)
    tags: dict[int, list[int]] = field(default_factory=dict)
    others: set[int] = field(default_factory=set)
    """Users with neither friends nor tags."""
    listens: dict[int, dict[int, int]] = field(default_factory=dict)
    """Listens written since the snapshot: user -> artist -> plays (a user's whole row)."""
    artists: set[int] = field(default_factory=set)
    """Artists the catalog knows beyond the snapshot's."""
    names: dict[int, str] = field(default_factory=dict)
    """Artist names the catalog answers searches with."""
    tag_values: dict[int, str] = field(default_factory=dict)
    """Tag values the catalog answers searches with."""
    tagged: dict[int, list[int]] = field(default_factory=dict)
    """Tag assignments made since the snapshot: tag -> artists (one assignment each)."""

    def knows(self, snapshot: Snapshot, user_id: int) -> bool:
        return (
            user_id in self.friends
            or user_id in self.tags
            or user_id in self.others
            or user_id in self.listens
            or bool((snapshot.listens.user_ids == user_id).any())
            or bool((snapshot.friendships.user_ids == user_id).any())
        )


def _page(items: list[dict[str, Any]], limit: int) -> dict[str, Any]:
    return {"items": items[:limit], "total": len(items), "limit": limit, "next_cursor": None}


def user_listens(snapshot: Snapshot, extra: UpstreamUsers, user_id: int) -> dict[int, int]:
    """The user's current row: written since the snapshot, else the snapshot's."""
    if user_id in extra.listens:
        return dict(extra.listens[user_id])
    listens = snapshot.listens
    mine = listens.user_ids == user_id
    return dict(
        zip(
            listens.artist_ids[mine].tolist(),
            listens.weights[mine].astype(int).tolist(),
            strict=True,
        )
    )


def friends_artists(snapshot: Snapshot, extra: UpstreamUsers, user_id: int) -> list[Any]:
    """The listening service's ranking: most friends first, then their plays, then id."""
    listens = snapshot.listens
    if not extra.knows(snapshot, user_id):
        raise HTTPException(404, "no such user")
    friendships = snapshot.friendships
    friends = set(friendships.friend_ids[friendships.user_ids == user_id].tolist())
    friends |= set(extra.friends.get(user_id, []))
    own = set(user_listens(snapshot, extra, user_id))
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


def tag_artists(snapshot: Snapshot, tag_id: int, extra: UpstreamUsers | None = None) -> list[Any]:
    """The catalog's ranking: most assignments of the tag first, then id."""
    assert snapshot.tags is not None
    counts = Counter(snapshot.tags.artist_ids[snapshot.tags.tag_ids == tag_id].tolist())
    if extra is not None:
        counts.update(extra.tagged.get(tag_id, []))
    if not counts:
        raise HTTPException(404, "no such tag")
    return [{"id": a, "count": c} for a, c in sorted(counts.items(), key=lambda i: (-i[1], i[0]))]


def artist_tags(snapshot: Snapshot, extra: UpstreamUsers, artist: int) -> list[dict[str, Any]]:
    """The artist's five most applied tags, most used first (the catalog's ``top_tags``)."""
    assert snapshot.tags is not None
    counts = Counter(snapshot.tags.tag_ids[snapshot.tags.artist_ids == artist].tolist())
    for tag, artists in extra.tagged.items():
        counts[tag] += artists.count(artist)
    ranked = sorted((t for t in counts if counts[t]), key=lambda t: (-counts[t], t))[:5]
    return [{"id": t, "value": str(t), "count": counts[t]} for t in ranked]


def add_routes(app: FastAPI, snapshot: Snapshot, extra: UpstreamUsers) -> None:
    @app.get("/users/{user_id}")
    def user(user_id: int) -> dict[str, int]:
        if not extra.knows(snapshot, user_id):
            raise HTTPException(404, "no such user")
        return {"id": user_id}

    @app.get("/artists")
    def search_artists(q: str = "", ids: str = "", limit: int = 20) -> dict[str, Any]:
        if ids:
            wanted = [int(i) for i in ids.split(",")]
            items = [{"id": a, "top_tags": artist_tags(snapshot, extra, a)} for a in wanted]
            return _page(items, len(items))
        found = [{"id": a, "name": n} for a, n in extra.names.items() if folded(q) in folded(n)]
        return _page(found, limit)

    @app.get("/tags")
    def search_tags(q: str, limit: int = 20) -> dict[str, Any]:
        found = [
            {"id": t, "value": v} for t, v in extra.tag_values.items() if folded(q) in folded(v)
        ]
        return _page(found, limit)

    @app.get("/artists/{artist_id}")
    def artist(artist_id: int) -> dict[str, int]:
        if artist_id not in extra.artists and not (snapshot.listens.artist_ids == artist_id).any():
            raise HTTPException(404, "no such artist")
        return {"id": artist_id}

    @app.get("/users/{user_id}/artists")
    def artists_of(user_id: int, limit: int = 20) -> dict[str, Any]:
        if not extra.knows(snapshot, user_id):
            raise HTTPException(404, "no such user")
        rows = sorted(user_listens(snapshot, extra, user_id).items(), key=lambda i: (-i[1], i[0]))
        items = [{"user_id": user_id, "artist_id": a, "weight": w} for a, w in rows]
        return _page(items, limit)

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
        return _page(tag_artists(snapshot, tag_id, extra), limit)
