"""Tag profile model: artists whose tags match the tags a user applies and listens to."""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from recommender.algorithms.base import Recommender
from recommender.algorithms.matrix import FloatMatrix, SideInfo
from recommender.algorithms.snapshot import IntArray
from recommender.algorithms.social import unit_rows


def tag_idf(item_tags: sp.csr_matrix) -> FloatMatrix:
    """Smoothed inverse document frequency of each tag over artists, ``1 + log((1 + n) /
    (1 + n_tagged))``: common genres count less, but every tag counts for something."""
    n_items = item_tags.shape[0]
    tagged = np.bincount(item_tags.indices, minlength=item_tags.shape[1])
    idf: FloatMatrix = (1.0 + np.log((1.0 + n_items) / (1.0 + tagged))).astype(np.float32)
    return idf


def tfidf_rows(counts: sp.csr_matrix, idf: FloatMatrix) -> sp.csr_matrix:
    """``log1p(count) * idf`` per entry, rows scaled to unit length."""
    weighted = sp.csr_matrix(counts, dtype=np.float32, copy=True)
    weighted.data = np.log1p(weighted.data)
    return unit_rows(sp.csr_matrix(weighted @ sp.diags(idf)))


class TagProfile(Recommender):
    """Cosine between a user's tag profile and each artist's tag profile (TF-IDF).

    A user's profile is the tags they applied themselves plus ``listened_weight`` times the
    mean profile of the artists they listen to, so users who never tag still get one.
    Needs ``side.user_tags`` and ``side.item_tags``; without them every score is zero.
    """

    name = "tags"

    def __init__(self, *, listened_weight: float = 0.5) -> None:
        super().__init__()
        self.listened_weight = listened_weight
        self.item_profiles: sp.csr_matrix = sp.csr_matrix((0, 0), dtype=np.float32)
        self.user_profiles: sp.csr_matrix = sp.csr_matrix((0, 0), dtype=np.float32)

    def params(self) -> dict[str, Any]:
        return {"listened_weight": self.listened_weight}

    def _fit(self, train: sp.csr_matrix, side: SideInfo | None, /) -> None:
        n_users, n_items = train.shape
        if side is None or side.item_tags is None or side.user_tags is None:
            self.item_profiles = sp.csr_matrix((n_items, 1), dtype=np.float32)
            self.user_profiles = sp.csr_matrix((n_users, 1), dtype=np.float32)
            return
        idf = tag_idf(side.item_tags)
        self.item_profiles = tfidf_rows(side.item_tags, idf)
        own = tfidf_rows(side.user_tags, idf)
        listened = sp.csr_matrix(train, dtype=np.float32, copy=True)
        listened.data[:] = 1.0
        from_artists = unit_rows(sp.csr_matrix(listened @ self.item_profiles))
        self.user_profiles = unit_rows(sp.csr_matrix(own + self.listened_weight * from_artists))

    def score(self, users: IntArray) -> FloatMatrix:
        profiles = self.user_profiles[users].toarray()
        return np.asarray(self.item_profiles @ profiles.T, dtype=np.float32).T.copy()
