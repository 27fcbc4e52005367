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

from recommender.serving.rules import Reason, as_reason, clean_reasons, keep

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
    disliking: set[int] = field(default_factory=set)
    """The users loaded with at least one dislike (their answers demote the disliked
    artists' neighbours: the general path's)."""
    general: OrderedDict[tuple[Any, ...], tuple[float, bytes]] = field(default_factory=OrderedDict)
    """Answers of the general path under these exclusions: (version, user, k,
    exclude_listened, explain) -> (monotonic expiry, body)."""


class UserRecs:
    """One user's precomputed top-N of one model version (parallel tuples, best first)."""

    __slots__ = ("_explained", "any_listened", "artists", "listened", "plain", "reasons")

    def __init__(self, items: list[list[Any]]) -> None:
        self.artists: tuple[int, ...] = tuple(int(item[0]) for item in items)
        self.listened: tuple[bool, ...] = tuple(bool(item[2]) for item in items)
        self.plain: tuple[bytes, ...] = tuple(
            dumps({"artist_id": artist, "score": score, "listened": listened, "reasons": None})
            for artist, score, listened, _ in items
        )
        self.reasons: tuple[tuple[Reason, ...], ...] = tuple(
            tuple(as_reason(r) for r in item[3]) for item in items
        )
        self.any_listened = any(self.listened)
        self._explained: tuple[Exclusions, list[bytes | None]] | None = None

    def chosen(
        self, k: int, hidden: frozenset[int], deleted: frozenset[int], exclude_listened: bool
    ) -> list[int]:
        """Indexes of the items an answer keeps (:func:`~recommender.serving.rules.keep`)."""
        return keep(
            self.artists,
            self.listened,
            k=k,
            exclude_listened=exclude_listened,
            hidden=hidden,
            deleted=deleted,
        )

    def explained(self, index: int, exclusions: Exclusions) -> bytes:
        """The item's JSON with its reasons, as ``exclusions`` leaves them."""
        cached = self._explained
        if cached is None or cached[0] is not exclusions:
            cached = (exclusions, [None] * len(self.artists))
            self._explained = cached  # a racing thread may build its own: same bytes
        fragment = cached[1][index]
        if fragment is None:
            cleaned = clean_reasons(
                self.reasons[index],
                deleted_artists=exclusions.deleted_artists,
                deleted_users=exclusions.deleted_users,
            )
            reasons = dumps(cleaned)
            fragment = self.plain[index][: -len(NO_REASONS)] + reasons + b"}"
            cached[1][index] = fragment
        return fragment


def answer_head(version: str, generated_at: str | None) -> bytes:
    """What follows ``{"user_id":<id>`` in every hot answer of one model version."""
    return b'"source":"model","model_version":%s,"generated_at":%s,"items":[' % (
        dumps(version),
        dumps(generated_at),
    )


def answer_body(user_id: int, head: bytes, fragments: list[bytes]) -> bytes:
    """The whole answer, field for field what ``Recommendations`` serialises."""
    return b'{"user_id":%d,%s%s],"unknown_seeds":null}' % (user_id, head, b",".join(fragments))
