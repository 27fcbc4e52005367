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
        self.listeners = np.bincount(self.listened.indices, minlength=train.shape[1])
        self._idf = (
            tag_idf(side.item_tags) if side is not None and side.item_tags is not None else None
        )

    def explain(self, user: int, item: int, *, max_each: int = 3) -> list[Reason]:
        """The reasons for recommending ``item`` to ``user``, strongest kind first."""
        reasons = [
            reason
            for reason in (
                self._listened(user, item, max_each),
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
        column = self.item_similarity[:, item]
        similarity = np.asarray(column[own].todense()).ravel() if len(own) else np.zeros(0)
        keep = (similarity > 0) & (own != item)
        if not keep.any():
            return None
        order = np.lexsort((own[keep], -similarity[keep]))[:limit]
        return Reason(
            kind=ReasonKind.LISTENED,
            strength=float(similarity[keep][order[0]]),
            artists=tuple(int(a) for a in own[keep][order]),
        )

    def _friends(self, user: int, item: int, limit: int) -> Reason | None:
        if self.side is None:
            return None
        friends = self.side.friends
        own = friends.indices[friends.indptr[user] : friends.indptr[user + 1]]
        if not len(own):
            return None
        listens = np.asarray(self.listened[own, item].todense()).ravel() > 0
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
        user_row = side.user_tags[user]
        item_row = side.item_tags[item]
        if not user_row.nnz or not item_row.nnz:
            return None
        item_weight = np.zeros(item_row.shape[1], dtype=np.float64)
        item_weight[item_row.indices] = np.log1p(item_row.data) * self._idf[item_row.indices]
        shared = np.intersect1d(user_row.indices, item_row.indices)
        total = item_weight.sum()
        if not len(shared) or total <= 0:
            return None
        user_count = np.zeros(user_row.shape[1], dtype=np.float64)
        user_count[user_row.indices] = user_row.data
        relevance = item_weight[shared] * np.log1p(user_count[shared])
        order = np.lexsort((shared, -relevance))[:limit]
        tag_ids = side.tag_ids if side.tag_ids is not None else np.arange(user_row.shape[1])
        return Reason(
            kind=ReasonKind.TAGS,
            strength=float(item_weight[shared].sum() / total),
            tags=tuple(int(tag_ids[t]) for t in shared[order]),
        )
