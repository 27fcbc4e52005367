"""Implicit-feedback matrix factorisation (ALS, Hu, Koren & Volinsky 2008) via ``implicit``."""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from implicit.cpu.als import AlternatingLeastSquares
from threadpoolctl import threadpool_limits

from recommender.algorithms.base import NotFittedError, Recommender
from recommender.algorithms.matrix import FloatMatrix, SideInfo, Weighting, apply_weighting
from recommender.algorithms.similarity import nearest_rows, top_of_dense
from recommender.algorithms.snapshot import IntArray

THREADS = 2
"""Solver threads; BLAS itself is held to one thread while ``implicit`` runs its own."""


class ALS(Recommender):
    """Weighted matrix factorisation of the confidence matrix ``alpha * weighting(plays)``.

    Deterministic for a given ``seed``. :meth:`train_more` continues from the current
    factors, so tuning can score a model after 5, 10, 15... iterations without restarting.
    """

    name = "als"

    def __init__(
        self,
        *,
        factors: int = 64,
        regularization: float = 0.1,
        alpha: float = 1.0,
        iterations: int = 15,
        weighting: Weighting | str = Weighting.BM25,
        seed: int = 0,
        threads: int = THREADS,
    ) -> None:
        super().__init__()
        self.factors = factors
        self.regularization = regularization
        self.alpha = alpha
        self.iterations = iterations
        self.weighting = Weighting(weighting)
        self.seed = seed
        self.threads = threads
        self._model: AlternatingLeastSquares | None = None
        self._confidence: sp.csr_matrix | None = None

    def params(self) -> dict[str, Any]:
        return {
            "factors": self.factors,
            "regularization": self.regularization,
            "alpha": self.alpha,
            "iterations": self.iterations,
            "weighting": self.weighting.value,
            "seed": self.seed,
        }

    def _fit(self, train: sp.csr_matrix, _side: SideInfo | None, /) -> None:
        self._confidence = apply_weighting(train, self.weighting)
        with threadpool_limits(1, user_api="blas"):
            self._model = AlternatingLeastSquares(
                factors=self.factors,
                regularization=self.regularization,
                alpha=self.alpha,
                iterations=self.iterations,
                calculate_training_loss=False,
                num_threads=self.threads,
                random_state=self.seed,
            )
            self._model.fit(self._confidence, show_progress=False)

    def train_more(self, iterations: int) -> None:
        """Run ``iterations`` further ALS sweeps from the current factors."""
        if self._model is None or self._confidence is None:
            raise NotFittedError("als is not fitted")
        self._model.iterations = iterations
        with threadpool_limits(1, user_api="blas"):
            self._model.fit(self._confidence, show_progress=False)
        self.iterations += iterations

    @property
    def solver(self) -> AlternatingLeastSquares:
        """The fitted ``implicit`` model."""
        if self._model is None:
            raise NotFittedError("als is not fitted")
        return self._model

    @property
    def user_factors(self) -> FloatMatrix:
        """Users x factors embedding."""
        if self._model is None:
            raise NotFittedError("als is not fitted")
        return np.asarray(self._model.user_factors, dtype=np.float32)

    @property
    def item_factors(self) -> FloatMatrix:
        """Items x factors embedding."""
        if self._model is None:
            raise NotFittedError("als is not fitted")
        return np.asarray(self._model.item_factors, dtype=np.float32)

    def score(self, users: IntArray) -> FloatMatrix:
        return self.user_factors[users] @ self.item_factors.T

    def similar_items(self, item: int, k: int) -> tuple[IntArray, FloatMatrix]:
        """The ``k`` artists closest to ``item`` by cosine of item factors."""
        return _cosine_neighbours(self.item_factors, item, k)

    def similar_users(self, user: int, k: int) -> tuple[IntArray, FloatMatrix]:
        """The ``k`` users closest to ``user`` by cosine of user factors."""
        return _cosine_neighbours(self.user_factors, user, k)

    def all_similar_users(self, k: int) -> tuple[IntArray, FloatMatrix]:
        """:meth:`similar_users` of every user at once, in blocks (``-1`` pads a row)."""
        return nearest_rows(self.user_factors, k)


def _cosine_neighbours(factors: FloatMatrix, row: int, k: int) -> tuple[IntArray, FloatMatrix]:
    norms = np.linalg.norm(factors, axis=1)
    norms[norms == 0] = 1.0
    cosine = factors @ factors[row] / (norms * norms[row])
    return top_of_dense(cosine, k, skip=row)
