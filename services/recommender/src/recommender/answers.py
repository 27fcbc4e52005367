"""Turning what the model (or an upstream service) knows into answers: exclusions applied,
deleted artists and users dropped, every item labelled with why it is there.

- :func:`model_items`: a user's precomputed top-N, filtered.
- :func:`popular_items`: the popularity list, filtered.
- :func:`fallback_items`: a user the model has no listens for — what their friends play,
  then the top artists of the tags they use, then popularity; each item carries the one
  reason that put it there, and scores fall by tier (friends 2-3, tags 1-2, popularity 0-1).
- :func:`seed_items`: cold start from seed artists (neighbours in the model) and/or seed
  tags (the catalog's most tagged artists).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from recommender.deletions import Deleted, deleted_among
from recommender.schemas import ReasonRead, RecommendedArtist, Source
from recommender.serving import ModelView
from recommender.upstream import Upstream

FRIENDS_TIER, TAGS_TIER, POPULAR_TIER = 2.0, 1.0, 0.0
USER_TAGS_USED = 5
TAG_ARTISTS_READ = 100


def reason_text(reason: dict[str, Any]) -> str:
    kind = reason["kind"]
    if kind == "listened":
        return "because you listen to " + ", ".join(f"artist {a}" for a in reason["artists"])
    if kind == "friends":
        return "popular among your friends"
    if kind == "tags":
        return "top in tags you use"
    return "popular with everyone"


def clean_reasons(raw: list[dict[str, Any]], deleted: Deleted) -> list[ReasonRead]:
    """Reasons without deleted artists or users; a reason left citing nobody goes."""
    reasons = []
    for reason in raw:
        artists = [a for a in reason.get("artists", []) if a not in deleted.artists]
        users = [u for u in reason.get("users", []) if u not in deleted.users]
        if (reason.get("artists") and not artists) or (reason.get("users") and not users):
            continue
        cleaned = {**reason, "artists": artists, "users": users}
        reasons.append(ReasonRead(**cleaned, text=reason_text(cleaned)))
    return reasons


def cited(entries: Iterable[list[Any]]) -> tuple[set[int], set[int]]:
    """Artists and users a list of precomputed entries names (items and their reasons)."""
    artists: set[int] = set()
    users: set[int] = set()
    for artist, _score, _listened, reasons in entries:
        artists.add(int(artist))
        for reason in reasons:
            artists.update(reason.get("artists", ()))
            users.update(reason.get("users", ()))
    return artists, users


def model_items(
    entries: list[list[Any]],
    *,
    k: int,
    excluded: set[int],
    exclude_listened: bool,
    explain: bool,
    deleted: Deleted,
) -> list[RecommendedArtist]:
    chosen: list[RecommendedArtist] = []
    for artist, score, listened, reasons in entries:
        if artist in excluded or artist in deleted.artists or (listened and exclude_listened):
            continue
        chosen.append(
            RecommendedArtist(
                artist_id=artist,
                score=score,
                listened=listened,
                reasons=clean_reasons(reasons, deleted) if explain else None,
            )
        )
        if len(chosen) == k:
            break
    return chosen


def popular_items(
    popular: list[list[float]], k: int, excluded: set[int], explain: bool
) -> list[RecommendedArtist]:
    """The first ``k`` popular artists not in ``excluded`` (which must hold the deleted)."""
    top = max((score for _, score in popular), default=0.0) or 1.0
    items = []
    for artist, score in popular:
        if int(artist) in excluded:
            continue
        reason = ReasonRead(kind="popular", strength=score / top, text="popular with everyone")
        items.append(
            RecommendedArtist(
                artist_id=int(artist), score=score, reasons=[reason] if explain else None
            )
        )
        if len(items) == k:
            break
    return items


def _labelled(
    ranked: list[tuple[int, float]], tier: float, reason: dict[str, Any]
) -> list[RecommendedArtist]:
    """Items scored ``tier + strength`` (strength = value / best value), one reason each."""
    top = max((value for _, value in ranked), default=0.0) or 1.0
    return [
        RecommendedArtist(
            artist_id=artist,
            score=tier + value / top,
            reasons=[ReasonRead(**reason, strength=value / top, text=reason_text(reason))],
        )
        for artist, value in ranked
    ]


def _take(
    session: Session, items: list[RecommendedArtist], k: int, taken: set[int]
) -> list[RecommendedArtist]:
    """Up to ``k`` of ``items`` whose artist is neither taken nor deleted (marks them taken)."""
    deleted = deleted_among(session, artists=[item.artist_id for item in items]).artists
    chosen: list[RecommendedArtist] = []
    for item in items:
        if len(chosen) == k:
            break
        if item.artist_id in taken or item.artist_id in deleted:
            continue
        taken.add(item.artist_id)
        chosen.append(item)
    return chosen


def tag_ranking(upstream: Upstream, tags: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """Artists of weighted tags: ``sum_t weight_t * assignments(a, t) / max_a assignments``,
    best first (ties: smaller id). Tags the catalog cannot answer for are skipped."""
    totals: dict[int, float] = defaultdict(float)
    for tag, weight in tags:
        artists = upstream.tag_artists(tag, TAG_ARTISTS_READ) or []
        best = max((count for _, count in artists), default=0) or 1
        for artist, count in artists:
            totals[artist] += weight * count / best
    return sorted(totals.items(), key=lambda item: (-item[1], item[0]))


def fallback_items(
    session: Session,
    upstream: Upstream,
    popular: list[list[float]],
    *,
    user_id: int,
    k: int,
    excluded: set[int],
) -> tuple[list[RecommendedArtist], Source]:
    """Friends -> tags the user used -> popularity, until ``k`` artists are found."""
    taken = set(excluded)
    chosen: list[RecommendedArtist] = []
    friends = upstream.friends_artists(user_id, k + len(excluded) + 50) or []
    friend_reason = {"kind": "friends", "artists": [], "users": [], "tags": []}
    ranked = [(artist, float(n)) for artist, n in friends]
    chosen += _take(session, _labelled(ranked, FRIENDS_TIER, friend_reason), k, taken)
    if len(chosen) < k:
        used = (upstream.user_tags(user_id) or [])[:USER_TAGS_USED]
        most = max((uses for _, uses in used), default=1)
        tag_reason = {"kind": "tags", "artists": [], "users": [], "tags": [t for t, _ in used]}
        ranked = tag_ranking(upstream, [(tag, uses / most) for tag, uses in used])
        chosen += _take(session, _labelled(ranked, TAGS_TIER, tag_reason), k - len(chosen), taken)
    source: Source = "fallback" if chosen else "popularity"
    if len(chosen) < k:
        ranked = [(int(artist), float(score)) for artist, score in popular]
        popular_reason = {"kind": "popular", "artists": [], "users": [], "tags": []}
        chosen += _take(
            session, _labelled(ranked, POPULAR_TIER, popular_reason), k - len(chosen), taken
        )
    return chosen, source


def seed_items(
    session: Session,
    upstream: Upstream,
    view: ModelView | None,
    *,
    seed_artists: list[int],
    seed_tags: list[int],
    k: int,
    exclude: set[int],
) -> list[RecommendedArtist]:
    """Neighbours of the seed artists (similar-artist scores summed, scaled to [0, 1]) plus
    the seed tags' most tagged artists (scaled to [0, 1]); seeds, exclusions and deleted
    artists never appear. May return fewer than ``k`` (the caller fills with popularity)."""
    deleted = deleted_among(session, artists=seed_artists).artists
    seeds = [seed for seed in seed_artists if seed not in deleted]
    excluded = set(seed_artists) | exclude
    by_artists: dict[int, float] = defaultdict(float)
    if view is not None:
        for seed in seeds:
            for artist, score in view.similar("similar_artists", seed) or []:
                by_artists[int(artist)] += score
    by_tags = dict(tag_ranking(upstream, [(tag, 1.0) for tag in seed_tags]))
    totals: dict[int, float] = defaultdict(float)
    reasons: dict[int, list[ReasonRead]] = defaultdict(list)
    for part, kind, cites in ((by_artists, "listened", seeds), (by_tags, "tags", seed_tags)):
        top = max(part.values(), default=0.0) or 1.0
        for artist, value in part.items():
            totals[artist] += value / top
            reason = {
                "kind": kind,
                "artists": cites if kind == "listened" else [],
                "users": [],
                "tags": cites if kind == "tags" else [],
            }
            reasons[artist].append(
                ReasonRead(**reason, strength=value / top, text=_seed_text(kind))
            )
    ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    items = [
        RecommendedArtist(artist_id=artist, score=score, reasons=reasons[artist])
        for artist, score in ranked
    ]
    return _take(session, items, k, excluded)


def _seed_text(kind: str) -> str:
    return "similar to the artists you gave" if kind == "listened" else "top in the tags you gave"
