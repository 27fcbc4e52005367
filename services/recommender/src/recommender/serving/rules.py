"""The rules of an answer for a user, the one copy both paths follow.

The hot path (:mod:`recommender.serving.hot`, pre-encoded JSON) and the general path
(:mod:`recommender.services.recommendations`) answer a user the model knows from the same
precomputed list; what they keep of it and what the kept items' reasons still cite is decided
here, once:

- :func:`keep`: the first ``k`` candidates that are neither hidden (or disliked) by the user,
  deleted upstream, nor (with ``exclude_listened``) artists the user listens to.
- :func:`clean_reasons`: a kept item's reasons without the deleted artists and users they
  cite; a reason left citing nobody goes.

The request's limits and defaults (``k``, ``exclude_listened``, ``explain``) are declared here
too, for the routes and the request schemas alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from typing import Any

K_MIN, K_MAX, K_DEFAULT = 1, 100, 10
"""How many artists a request may ask for, and how many it gets when it does not say."""
EXCLUDE_LISTENED_DEFAULT = True
"""Artists the user listens to are left out unless the request says otherwise."""
EXPLAIN_DEFAULT = False
"""Reasons are given only when asked for."""

Reason = tuple[str, float, tuple[int, ...], tuple[int, ...], tuple[int, ...]]
"""A precomputed reason: kind, strength, cited artists, cited users, cited tags."""


def as_reason(raw: dict[str, Any]) -> Reason:
    """A reason as the pipeline stores it (a JSON object), in the compact form."""
    return (
        raw["kind"],
        raw["strength"],
        tuple(raw.get("artists", ())),
        tuple(raw.get("users", ())),
        tuple(raw.get("tags", ())),
    )


def reason_text(kind: str) -> str:
    if kind == "listened":
        # The recommender knows artists by id; the gateway, which names them, says who.
        return "because you listen to similar artists"
    if kind == "friends":
        return "popular among your friends"
    if kind == "tags":
        return "top in tags you use"
    return "popular with everyone"


def keep(
    artists: Sequence[int],
    listened: Sequence[bool],
    *,
    k: int,
    exclude_listened: bool,
    hidden: AbstractSet[int],
    deleted: AbstractSet[int],
) -> list[int]:
    """Indexes of the first ``k`` candidates (``artists``, best first; ``listened``: whether
    the user listens to each) that an answer keeps."""
    kept: list[int] = []
    for index, artist in enumerate(artists):
        if (exclude_listened and listened[index]) or artist in hidden or artist in deleted:
            continue
        kept.append(index)
        if len(kept) == k:
            break
    return kept


def clean_reasons(
    raw: Iterable[Reason], *, deleted_artists: AbstractSet[int], deleted_users: AbstractSet[int]
) -> list[dict[str, Any]]:
    """The reasons an answer gives, fields in ``ReasonRead``'s order (so the hot path's bytes
    are the general path's): deleted artists and users left out; a reason left citing nobody
    goes."""
    reasons = []
    for kind, strength, cited_artists, cited_users, tags in raw:
        artists = [a for a in cited_artists if a not in deleted_artists]
        users = [u for u in cited_users if u not in deleted_users]
        if (cited_artists and not artists) or (cited_users and not users):
            continue
        reasons.append(
            {
                "kind": kind,
                "strength": strength,
                "text": reason_text(kind),
                "artists": artists,
                "users": users,
                "tags": list(tags),
            }
        )
    return reasons
