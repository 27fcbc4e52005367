"""A user's precomputed recommendations kept as pre-encoded JSON, so an answer is a join.

Encoding the answer item by item (``json.dumps`` of a dict per item) was a large part of the
hot read. Each item's JSON does not depend on the request: ``{"artist_id":..,"score":..,
"listened":..,"reasons":null}`` is encoded once, when the user's entry is loaded, and an
answer joins the fragments of the items it keeps. With ``explain=true`` the reasons depend on
which artists and users have been deleted (a reason citing only deleted ones goes), so those
fragments are encoded on first use and kept for one :class:`Exclusions` snapshot.

The bytes are exactly what ``json.dumps(body, separators=(",", ":"))`` of the whole answer
gives: fragments are encoded by the same function with the same options.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from recommender.answers import reason_text

Reason = tuple[str, float, tuple[int, ...], tuple[int, ...], tuple[int, ...]]
NO_REASONS = b"null}"


def dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


@dataclass(frozen=True, eq=False)
class Exclusions:
    """What every answer must leave out, as of one value of the exclusions stamp.

    Replaced as a whole when the stamp changes, so a request reads one consistent snapshot:
    the deleted artists and users, and the hidden artists of the users loaded since (each
    loaded after the stamp was read, so no older than it)."""

    stamp: object
    deleted_artists: frozenset[int] = frozenset()
    deleted_users: frozenset[int] = frozenset()
    hidden: dict[int, frozenset[int]] = field(default_factory=dict)
    general: OrderedDict[tuple[Any, ...], tuple[float, bytes]] = field(default_factory=OrderedDict)
    """Answers of the general path under these exclusions: (version, user, k,
    exclude_listened, explain) -> (monotonic expiry, body)."""


class UserRecs:
    """One user's precomputed top-N of one model version (parallel tuples, best first)."""

    __slots__ = ("_explained", "any_listened", "artists", "plain", "reasons", "unlistened")

    def __init__(self, items: list[list[Any]]) -> None:
        self.artists: tuple[int, ...] = tuple(int(item[0]) for item in items)
        # the indexes of the items the user does not listen to (the default answer's)
        self.unlistened: tuple[int, ...] = tuple(i for i, item in enumerate(items) if not item[2])
        self.plain: tuple[bytes, ...] = tuple(
            dumps({"artist_id": artist, "score": score, "listened": listened, "reasons": None})
            for artist, score, listened, _ in items
        )
        self.reasons: tuple[tuple[Reason, ...], ...] = tuple(
            tuple(
                (
                    r["kind"],
                    r["strength"],
                    tuple(r.get("artists", ())),
                    tuple(r.get("users", ())),
                    tuple(r.get("tags", ())),
                )
                for r in item[3]
            )
            for item in items
        )
        self.any_listened = len(self.unlistened) < len(items)
        self._explained: tuple[Exclusions, list[bytes | None]] | None = None

    def chosen(
        self, k: int, hidden: frozenset[int], deleted: frozenset[int], exclude_listened: bool
    ) -> list[int]:
        """Indexes of the first ``k`` items neither hidden, deleted nor (optionally) listened."""
        candidates = self.unlistened if exclude_listened else range(len(self.artists))
        if not hidden and not deleted:
            return list(candidates[:k])
        kept: list[int] = []
        artists = self.artists
        for index in candidates:
            artist = artists[index]
            if artist in hidden or artist in deleted:
                continue
            kept.append(index)
            if len(kept) == k:
                break
        return kept

    def explained(self, index: int, exclusions: Exclusions) -> bytes:
        """The item's JSON with its reasons, as ``exclusions`` leaves them."""
        cached = self._explained
        if cached is None or cached[0] is not exclusions:
            cached = (exclusions, [None] * len(self.artists))
            self._explained = cached  # a racing thread may build its own: same bytes
        fragment = cached[1][index]
        if fragment is None:
            reasons = dumps(_cleaned(self.reasons[index], exclusions))
            fragment = self.plain[index][: -len(NO_REASONS)] + reasons + b"}"
            cached[1][index] = fragment
        return fragment


def _cleaned(raw: tuple[Reason, ...], exclusions: Exclusions) -> list[dict[str, Any]]:
    """Reasons without deleted artists or users; a reason left citing nobody goes."""
    artists_gone, users_gone = exclusions.deleted_artists, exclusions.deleted_users
    reasons = []
    for kind, strength, cited_artists, cited_users, tags in raw:
        artists = [a for a in cited_artists if a not in artists_gone]
        users = [u for u in cited_users if u not in users_gone]
        if (cited_artists and not artists) or (cited_users and not users):
            continue
        cleaned = {
            "kind": kind,
            "strength": strength,
            "artists": artists,
            "users": users,
            "tags": list(tags),
        }
        reasons.append({**cleaned, "text": reason_text(cleaned)})
    return reasons


def answer_head(version: str, generated_at: str | None) -> bytes:
    """What follows ``{"user_id":<id>`` in every hot answer of one model version."""
    return b'"source":"model","model_version":%s,"generated_at":%s,"items":[' % (
        dumps(version),
        dumps(generated_at),
    )


def answer_body(user_id: int, head: bytes, fragments: list[bytes]) -> bytes:
    return b'{"user_id":%d,%s%s]}' % (user_id, head, b",".join(fragments))
