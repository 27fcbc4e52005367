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
from recommender.serving.rules import as_reason, clean_reasons, keep, reason_text
from recommender.serving.views import ModelView
from recommender.upstream import Upstream

FRIENDS_TIER, TAGS_TIER, POPULAR_TIER = 2.0, 1.0, 0.0
USER_TAGS_USED = 5
TAG_ARTISTS_READ = 100
TAG_EVIDENCE = 5.0
"""Assignments at which a tag's share on an artist counts half (fewer: less sure)."""


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
    """The items of a user's precomputed list an answer keeps (:func:`rules.keep`), with
    their reasons as :func:`rules.clean_reasons` leaves them."""
    kept = keep(
        [int(entry[0]) for entry in entries],
        [bool(entry[2]) for entry in entries],
        k=k,
        exclude_listened=exclude_listened,
        hidden=excluded,
        deleted=deleted.artists,
    )
    return [
        RecommendedArtist(
            artist_id=artist,
            score=score,
            listened=listened,
            reasons=[
                ReasonRead(**reason)
                for reason in clean_reasons(
                    map(as_reason, reasons),
                    deleted_artists=deleted.artists,
                    deleted_users=deleted.users,
                )
            ]
            if explain
            else None,
        )
        for artist, score, listened, reasons in (entries[index] for index in kept)
    ]


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
            reasons=[ReasonRead(**reason, strength=value / top, text=reason_text(reason["kind"]))],
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
    """Artists of weighted tags, scored by how much each tag is *on* the artist, best first.

    For a tag ``t`` and an artist ``a`` carrying it (the catalog's top artists of ``t``):
    ``share(a, t) = count(a, t) / assignments of a's most applied tags`` (the catalog's top
    tags of ``a``, plus ``t`` when it is not among them), damped by the evidence,
    ``count / (count + TAG_EVIDENCE)``, so a jazz record tagged "jazz" 30 times out of 35
    outranks a pop star tagged "jazz" 40 times out of 2,000. The score is the tags' weighted
    sum; ties go to the weighted assignment count, then the smaller id. Tags the catalog
    cannot answer for are skipped."""
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    for tag, _weight in tags:
        for artist, count in upstream.tag_artists(tag, TAG_ARTISTS_READ) or []:
            counts[artist][tag] = count
    profiles = upstream.artists_tags(sorted(counts)) if counts else {}
    weights = dict(tags)
    ranked = []
    for artist, on_artist in counts.items():
        profile = profiles.get(artist, {})
        score = tie = 0.0
        for tag, count in on_artist.items():
            total = sum(profile.values()) + (0 if tag in profile else count)
            share = count / total if total else 0.0
            score += weights[tag] * share * count / (count + TAG_EVIDENCE)
            tie += weights[tag] * count
        ranked.append((artist, score, tie))
    ranked.sort(key=lambda item: (-item[1], -item[2], item[0]))
    return [(artist, score) for artist, score, _ in ranked]


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
    # how many friends play it, then (below one friend's worth) how much they play it
    most_plays = max((plays for _, _, plays in friends), default=0) + 1
    ranked = [(artist, n + plays / most_plays) for artist, n, plays in friends]
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


def similar_sum(view: ModelView | None, seeds: dict[int, float]) -> dict[int, float]:
    """The seed artists' similar-artist scores, weighted and summed (when the published
    version cannot score the seeds as a listening row)."""
    by_artists: dict[int, float] = defaultdict(float)
    if view is not None:
        for seed, weight in seeds.items():
            for artist, score in view.similar("similar_artists", seed) or []:
                by_artists[int(artist)] += weight * score
    return by_artists


def seed_items(
    session: Session,
    upstream: Upstream,
    *,
    seed_artists: dict[int, float],
    seed_tags: dict[int, float],
    by_artists: dict[int, float],
    cited: dict[int, list[int]],
    k: int,
    exclude: set[int],
) -> list[RecommendedArtist]:
    """The artists the seed artists give (``by_artists``, scaled to [0, 1]; ``cited``: the
    seeds each is closest to) plus the seed tags' artists (weighted, scaled to [0, 1]);
    seeds, exclusions and deleted artists never appear. May return fewer than ``k`` (the
    caller fills with popularity)."""
    deleted = deleted_among(session, artists=seed_artists).artists
    seeds = [seed for seed in seed_artists if seed not in deleted]
    excluded = set(seed_artists) | exclude
    by_tags = dict(tag_ranking(upstream, list(seed_tags.items())))
    tags = list(seed_tags)
    totals: dict[int, float] = defaultdict(float)
    reasons: dict[int, list[ReasonRead]] = defaultdict(list)
    for part, kind in ((by_artists, "listened"), (by_tags, "tags")):
        top = max(part.values(), default=0.0) or 1.0
        for artist, value in part.items():
            totals[artist] += value / top
            reason = {
                "kind": kind,
                "artists": [a for a in cited.get(artist, seeds) if a not in deleted]
                if kind == "listened"
                else [],
                "users": [],
                "tags": tags if kind == "tags" else [],
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
