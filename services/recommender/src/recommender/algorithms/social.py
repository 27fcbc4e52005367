"""Social model: what a user's friends listen to, friends with similar taste counting more."""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from recommender.algorithms.base import Recommender
from recommender.algorithms.matrix import FloatMatrix, SideInfo, Weighting, apply_weighting
from recommender.algorithms.similarity import top_of_row
from recommender.algorithms.snapshot import IntArray


def unit_rows(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """Rows scaled to unit L2 norm (empty rows stay empty)."""
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    scale = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
    return sp.csr_matrix(sp.diags(scale.astype(np.float32)) @ matrix)


class Social(Recommender):
    """``score(u, i) = sum_f (base + cos(u, f)) * x_f(i)`` over the friends ``f`` of ``u``.

    ``x_f`` is the friend's unit-normalised weighted listening vector and ``cos(u, f)`` the
    cosine of the two users' vectors, so every friend counts ``base`` and taste twins count
    more. Needs ``side.friends``; without friends a user's scores are all zero.
    """

    name = "social"

    def __init__(self, *, weighting: Weighting | str = Weighting.LOG, base: float = 0.1) -> None:
        super().__init__()
        self.weighting = Weighting(weighting)
        self.base = base
        self.friend_weights: sp.csr_matrix = sp.csr_matrix((0, 0), dtype=np.float32)
        self._profiles: sp.csr_matrix = sp.csr_matrix((0, 0), dtype=np.float32)

    def params(self) -> dict[str, Any]:
        return {"weighting": self.weighting.value, "base": self.base}

    def _fit(self, train: sp.csr_matrix, side: SideInfo | None, /) -> None:
        n_users = train.shape[0]
        friends = side.friends if side is not None else sp.csr_matrix((n_users, n_users))
        self._profiles = unit_rows(apply_weighting(train, self.weighting))
        pairs = sp.csr_matrix(friends, dtype=np.float32).tocoo()
        taste = np.asarray(
            self._profiles[pairs.row].multiply(self._profiles[pairs.col]).sum(axis=1)
        ).ravel()
        self.friend_weights = sp.csr_matrix(
            ((self.base + taste).astype(np.float32), (pairs.row, pairs.col)),
            shape=(n_users, n_users),
        )

    def score(self, users: IntArray) -> FloatMatrix:
        return np.asarray((self.friend_weights[users] @ self._profiles).todense(), np.float32)

    def similar_users(self, user: int, k: int) -> tuple[IntArray, FloatMatrix]:
        """The user's ``k`` friends with the most similar taste (weight ``base + cosine``)."""
        start, end = self.friend_weights.indptr[user], self.friend_weights.indptr[user + 1]
        return top_of_row(
            self.friend_weights.indices[start:end], self.friend_weights.data[start:end], k
        )
