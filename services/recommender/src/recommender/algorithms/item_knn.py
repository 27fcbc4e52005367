"""Item-based k-nearest neighbours: an artist scores by its similarity to the user's artists."""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from recommender.algorithms.base import Recommender
from recommender.algorithms.matrix import FloatMatrix, SideInfo, Weighting, apply_weighting
from recommender.algorithms.similarity import cosine_similarity, keep_top_per_row, top_of_row
from recommender.algorithms.snapshot import IntArray


class ItemKNN(Recommender):
    """Shrunk cosine similarity between artists' listener vectors, top-``neighbours`` kept.

    ``score(u, i) = sum_j w(u, j) * sim(j, i)`` over the user's artists ``j`` among the
    ``neighbours`` most similar to ``i``; ``w`` is the ``weighting`` of the play counts, used
    both to compute similarities and to score.
    """

    name = "item_knn"

    def __init__(
        self,
        *,
        weighting: Weighting | str = Weighting.BINARY,
        shrink: float = 10.0,
        neighbours: int = 100,
    ) -> None:
        super().__init__()
        self.weighting = Weighting(weighting)
        self.shrink = shrink
        self.neighbours = neighbours
        self.similarity: sp.csr_matrix = sp.csr_matrix((0, 0), dtype=np.float32)
        self._weights: sp.csr_matrix = sp.csr_matrix((0, 0), dtype=np.float32)
        self._scoring: sp.csr_matrix = sp.csr_matrix((0, 0), dtype=np.float32)

    def params(self) -> dict[str, Any]:
        return {
            "weighting": self.weighting.value,
            "shrink": self.shrink,
            "neighbours": self.neighbours,
        }

    def _fit(self, train: sp.csr_matrix, _side: SideInfo | None, /) -> None:
        self._weights = apply_weighting(train, self.weighting)
        full = cosine_similarity(self._weights.T.tocsr(), shrink=self.shrink)
        self.similarity = full
        # Row i of the pruned matrix holds the neighbours of target item i.
        self._scoring = keep_top_per_row(full, self.neighbours).T.tocsr()

    @property
    def scoring(self) -> sp.csr_matrix:
        """The pruned similarities: column ``i`` holds target item ``i``'s neighbours."""
        return self._scoring

    def score(self, users: IntArray) -> FloatMatrix:
        return np.asarray((self._weights[users] @ self._scoring).todense(), dtype=np.float32)

    def similar_items(self, item: int, k: int) -> tuple[IntArray, FloatMatrix]:
        """The ``k`` artists most similar to ``item`` (cosine, shrunk), best first."""
        start, end = self.similarity.indptr[item], self.similarity.indptr[item + 1]
        return top_of_row(
            self.similarity.indices[start:end], self.similarity.data[start:end], k, skip=item
        )
