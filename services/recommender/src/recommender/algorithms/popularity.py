"""Popularity: every user gets the artists with the most listeners."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from recommender.algorithms.base import Recommender
from recommender.algorithms.matrix import FloatMatrix, SideInfo
from recommender.algorithms.similarity import top_of_dense
from recommender.algorithms.snapshot import IntArray


class Popularity(Recommender):
    """Scores an artist by its number of listeners; ties broken by total plays."""

    name = "popularity"

    def __init__(self) -> None:
        super().__init__()
        self.listeners: FloatMatrix = np.zeros(0, dtype=np.float32)
        self._scores: FloatMatrix = np.zeros(0, dtype=np.float32)

    def _fit(self, train: sp.csr_matrix, _side: SideInfo | None, /) -> None:
        n_items = train.shape[1]
        self.listeners = np.bincount(train.indices, minlength=n_items).astype(np.float32)
        plays = np.asarray(train.sum(axis=0)).ravel().astype(np.float64)
        tie_break = plays / (plays.max() + 1.0) if plays.size and plays.max() > 0 else plays
        self._scores = (self.listeners + tie_break).astype(np.float32)

    def score(self, users: IntArray) -> FloatMatrix:
        return np.tile(self._scores, (len(users), 1))

    def top(self, k: int) -> tuple[IntArray, FloatMatrix]:
        """The ``k`` most popular items and their listener counts."""
        items, _ = top_of_dense(self._scores, k)
        return items, self.listeners[items]
