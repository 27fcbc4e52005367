"""Why an artist is recommended to a user, as structured reasons.

Reasons are independent of the model that ranked the artist; they describe the evidence in
the training data:

* ``listened``: the user's artists most similar to it ("because you listen to X"), by
  shrunk cosine similarity of listener sets;
* ``friends``: friends who listen to it ("popular among your friends");
* ``tags``: tags the user applies that the artist carries ("top in tags you use");
* ``popular``: only when nothing else applies, its share of listeners overall.

Artists and users are dense indexes, tags are tag ids; the serving layer turns them into names.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import scipy.sparse as sp

from recommender.algorithms.matrix import SideInfo
from recommender.algorithms.similarity import cosine_similarity
from recommender.algorithms.tags import tag_idf


class ReasonKind(StrEnum):
    """The kinds of evidence an explanation can cite."""

    LISTENED = "listened"
    FRIENDS = "friends"
    TAGS = "tags"
    POPULAR = "popular"


@dataclass(frozen=True)
class Reason:
    """One piece of evidence; ``strength`` is in [0, 1], comparable within a kind.

    ``listened``: the best cosine similarity; ``friends``: share of the user's friends who
    listen to the artist; ``tags``: share of the artist's tag weight on tags the user uses;
    ``popular``: listeners relative to the most listened artist.
    """

    kind: ReasonKind
    strength: float
    artists: tuple[int, ...] = ()
    users: tuple[int, ...] = ()
    tags: tuple[int, ...] = ()


class Explainer:
    """Builds :class:`Reason` lists from a training matrix and its side information."""

    def __init__(
        self,
        train: sp.csr_matrix,
        side: SideInfo | None = None,
        *,
        item_similarity: sp.csr_matrix | None = None,
        shrink: float = 10.0,
    ) -> None:
        self.listened = sp.csr_matrix(train, dtype=np.float32, copy=True)
        self.listened.data[:] = 1.0
        self.listened.eliminate_zeros()
        self.side = side
        if item_similarity is None:
            item_similarity = cosine_similarity(self.listened.T.tocsr(), shrink=shrink)
        self.item_similarity = item_similarity.tocsc()
        self.item_similarity.sort_indices()
        self._listeners_by_item = self.listened.tocsc()
        self._listeners_by_item.sort_indices()
        self.listeners = np.bincount(self.listened.indices, minlength=train.shape[1])
        self._idf = (
            tag_idf(side.item_tags) if side is not None and side.item_tags is not None else None
        )

    def explain(self, user: int, item: int, *, max_each: int = 3) -> list[Reason]:
        """The reasons for recommending ``item`` to ``user``, strongest kind first."""
        return self._combined(user, item, self._listened(user, item, max_each), max_each)

    def explain_many(self, user: int, items: list[int], *, max_each: int = 3) -> list[list[Reason]]:
        """:meth:`explain` for several of one user's items (the same reasons), with the
        similarities to the user's artists looked up for all of them at once."""
        listened = self._listened_many(user, items, max_each)
        return [
            self._combined(user, item, reason, max_each)
            for item, reason in zip(items, listened, strict=True)
        ]

    def _combined(
        self, user: int, item: int, listened: Reason | None, max_each: int
    ) -> list[Reason]:
        reasons = [
            reason
            for reason in (
                listened,
                self._friends(user, item, max_each),
                self._tags(user, item, max_each),
            )
            if reason is not None
        ]
        if not reasons:
            top = int(self.listeners.max()) if self.listeners.size else 0
            share = float(self.listeners[item]) / top if top else 0.0
            reasons.append(Reason(kind=ReasonKind.POPULAR, strength=share))
        return sorted(reasons, key=lambda reason: reason.strength, reverse=True)

    def _listened(self, user: int, item: int, limit: int) -> Reason | None:
        own = self.listened.indices[self.listened.indptr[user] : self.listened.indptr[user + 1]]
        similarity = self._similarity_to(item, own)
        keep = (similarity > 0) & (own != item)
        if not keep.any():
            return None
        order = np.lexsort((own[keep], -similarity[keep]))[:limit]
        return Reason(
            kind=ReasonKind.LISTENED,
            strength=float(similarity[keep][order[0]]),
            artists=tuple(int(a) for a in own[keep][order]),
        )

    def _listened_many(self, user: int, items: list[int], limit: int) -> list[Reason | None]:
        """:meth:`_listened` for each of ``items``, the user's artists read once and each
        item's few positive similarities ranked by a plain sort (same order as ``lexsort``:
        similarity descending, then artist)."""
        own = self.listened.indices[self.listened.indptr[user] : self.listened.indptr[user + 1]]
        if not len(own):
            return [None] * len(items)
        artists: list[int] = own.tolist()
        sim = self.item_similarity
        indptr, indices, data = sim.indptr, sim.indices, sim.data
        reasons: list[Reason | None] = []
        for item in items:
            start, end = indptr[item], indptr[item + 1]
            if start == end:
                reasons.append(None)
                continue
            rows = indices[start:end]
            at = np.minimum(rows.searchsorted(own), end - start - 1)
            values = np.where(rows[at] == own, data[start:end][at], 0.0).tolist()
            ranked = sorted(
                (-value, artist)
                for value, artist in zip(values, artists, strict=True)
                if value > 0 and artist != item
            )
            reasons.append(
                Reason(
                    kind=ReasonKind.LISTENED,
                    strength=-ranked[0][0],
                    artists=tuple(artist for _, artist in ranked[:limit]),
                )
                if ranked
                else None
            )
        return reasons

    def _similarity_to(self, item: int, artists: np.ndarray) -> np.ndarray:
        """``sim(a, item)`` for each of ``artists`` (0 where not stored), read straight from
        the CSC arrays (row indices sorted once): no sparse matrix is built per call."""
        sim = self.item_similarity
        start, end = sim.indptr[item], sim.indptr[item + 1]
        rows, values = sim.indices[start:end], sim.data[start:end]
        result = np.zeros(len(artists), dtype=np.float64)
        if not len(rows) or not len(artists):
            return result
        at, found = _positions(rows, artists)
        result[found] = values[at[found]]
        return result

    def _friends(self, user: int, item: int, limit: int) -> Reason | None:
        if self.side is None:
            return None
        friends = self.side.friends
        own = friends.indices[friends.indptr[user] : friends.indptr[user + 1]]
        if not len(own):
            return None
        by_item = self._listeners_by_item
        fans = by_item.indices[by_item.indptr[item] : by_item.indptr[item + 1]]
        listens = _members(fans, own)
        if not listens.any():
            return None
        return Reason(
            kind=ReasonKind.FRIENDS,
            strength=float(listens.sum() / len(own)),
            users=tuple(int(f) for f in np.sort(own[listens])[:limit]),
        )

    def _tags(self, user: int, item: int, limit: int) -> Reason | None:
        side = self.side
        if side is None or side.user_tags is None or side.item_tags is None or self._idf is None:
            return None
        user_tags, user_uses = _row(side.user_tags, user)
        item_tags, item_uses = _row(side.item_tags, item)
        if not len(user_tags) or not len(item_tags):
            return None
        n_tags = side.item_tags.shape[1]
        item_weight = np.zeros(n_tags, dtype=np.float64)
        item_weight[item_tags] = np.log1p(item_uses) * self._idf[item_tags]
        shared = np.intersect1d(user_tags, item_tags)
        total = item_weight.sum()
        if not len(shared) or total <= 0:
            return None
        user_count = np.zeros(n_tags, dtype=np.float64)
        user_count[user_tags] = user_uses
        relevance = item_weight[shared] * np.log1p(user_count[shared])
        order = np.lexsort((shared, -relevance))[:limit]
        tag_ids = side.tag_ids if side.tag_ids is not None else np.arange(n_tags)
        return Reason(
            kind=ReasonKind.TAGS,
            strength=float(item_weight[shared].sum() / total),
            tags=tuple(int(tag_ids[t]) for t in shared[order]),
        )


def _row(matrix: sp.csr_matrix, row: int) -> tuple[np.ndarray, np.ndarray]:
    """Column indices and values of one CSR row (views, no copy)."""
    start, end = matrix.indptr[row], matrix.indptr[row + 1]
    return matrix.indices[start:end], matrix.data[start:end]


def _positions(sorted_values: np.ndarray, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each of ``wanted``: its position in ``sorted_values`` and whether it is there."""
    if not len(sorted_values):
        return np.zeros(len(wanted), dtype=np.int64), np.zeros(len(wanted), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_values, wanted), len(sorted_values) - 1)
    return at, sorted_values[at] == wanted


def _members(sorted_values: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Which of ``wanted`` occur in ``sorted_values`` (``np.isin`` for a sorted haystack)."""
    return _positions(sorted_values, wanted)[1]
