"""The interface every model implements, and the top-k selection they share.

A model is fitted on a users x items play-count matrix (raw counts; each model applies
its own confidence weighting) and scores items for users by dense index. Higher is better;
scores are only comparable within one model and one user.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import Any, ClassVar, Self

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from recommender.algorithms.matrix import FloatMatrix, SideInfo
from recommender.algorithms.snapshot import IntArray

SCORE_CHUNK = 512
"""Most users scored per block in batch recommendation."""

BLOCK_BUDGET_BYTES = 128 * 2**20
"""Memory one dense users x items block may take at 8 bytes a cell: the largest array of a
scoring block is ``argpartition``'s int64 positions, next to a few float32 score arrays of
the same shape. On 17.6k artists the budget allows 951 users (so :data:`SCORE_CHUNK`
decides); on 50k artists, 335."""


def block_rows(n_columns: int, *, limit: int = SCORE_CHUNK, cells: int = 1) -> int:
    """Rows per dense block of ``n_columns`` columns within :data:`BLOCK_BUDGET_BYTES`, at
    most ``limit`` and at least one; ``cells`` such blocks are alive at once."""
    per_row = max(n_columns, 1) * 8 * max(cells, 1)
    return max(1, min(limit, BLOCK_BUDGET_BYTES // per_row))


class NotFittedError(RuntimeError):
    """A model was asked for scores before ``fit``."""


class Recommender(ABC):
    """A fitted model of which artists a user will like."""

    name: ClassVar[str]

    def __init__(self) -> None:
        self._train: sp.csr_matrix | None = None

    @property
    def train(self) -> sp.csr_matrix:
        """The raw play-count matrix the model was fitted on."""
        if self._train is None:
            raise NotFittedError(f"{self.name} is not fitted")
        return self._train

    @property
    def n_items(self) -> int:
        return int(self.train.shape[1])

    def fit(self, train: sp.csr_matrix, side: SideInfo | None = None) -> Self:
        """Learn from ``train`` (users x items play counts) and optional side information."""
        self._train = sp.csr_matrix(train, dtype=np.float32)
        self._fit(self._train, side)
        return self

    @abstractmethod
    def _fit(self, train: sp.csr_matrix, side: SideInfo | None, /) -> None:
        """Model-specific training."""

    @abstractmethod
    def score(self, users: IntArray) -> FloatMatrix:
        """Dense scores, one row per user in ``users``, one column per item."""

    def params(self) -> dict[str, Any]:
        """The constructor arguments of this model (what tuning chose), JSON-serialisable."""
        return {}

    def clone(self) -> Self:
        """A new, unfitted model with the same hyper-parameters."""
        return type(self)(**self.params())

    def recommend(
        self, user: int, k: int, exclude: npt.ArrayLike | None = None
    ) -> tuple[IntArray, npt.NDArray[np.float32]]:
        """The ``k`` best items for ``user`` and their scores, skipping ``exclude`` items."""
        scores = self.score(np.array([user], dtype=np.int64))[0]
        if exclude is not None:
            scores[np.asarray(exclude, dtype=np.int64)] = -np.inf
        top = top_k(scores[None, :], k)[0]
        top = top[top >= 0]
        return top, scores[top]

    def recommend_batch(
        self, users: IntArray, k: int, exclude: sp.csr_matrix | None = None
    ) -> IntArray:
        """Top-``k`` item indexes per user (``-1`` pads); ``exclude`` rows are per user."""
        if len(users) == 0:
            return np.empty((0, k), dtype=np.int64)
        return np.vstack([top_k(masked, k) for masked in self.masked_scores(users, exclude)])

    def masked_scores(
        self, users: IntArray, exclude: sp.csr_matrix | None = None
    ) -> Iterator[FloatMatrix]:
        """Score blocks of ``users`` (:func:`block_rows` users each) with each user's
        ``exclude`` items set to ``-inf``."""
        rows = block_rows(self.n_items)
        for start in range(0, len(users), rows):
            block = users[start : start + rows]
            scores = self.score(block)
            if exclude is not None:
                mask = exclude[block].tocoo()
                scores[mask.row, mask.col] = -np.inf
            yield scores


def top_k(scores: FloatMatrix, k: int) -> IntArray:
    """Per row, the column indexes of the ``k`` highest finite scores, best first (-1 pads)."""
    n_rows, n_cols = scores.shape
    k_eff = min(k, n_cols)
    out = np.full((n_rows, k), -1, dtype=np.int64)
    if k_eff == 0:
        return out
    # Selecting the k smallest of -scores stays fast when many scores tie (zeros, -inf);
    # selecting at n - k on the scores themselves degrades badly on such rows.
    part = np.argpartition(-scores, k_eff - 1, axis=1)[:, :k_eff]
    part_scores = np.take_along_axis(scores, part, axis=1)
    order = np.argsort(-part_scores, axis=1, kind="stable")
    best = np.take_along_axis(part, order, axis=1)
    best_scores = np.take_along_axis(part_scores, order, axis=1)
    out[:, :k_eff] = np.where(np.isfinite(best_scores), best, -1)
    return out


def row_normalise(matrix: sp.csr_matrix, power: float = 1.0) -> sp.csr_matrix:
    """Rows divided by their sum (``power`` applied to the sum); empty rows stay empty."""
    sums = np.asarray(matrix.sum(axis=1)).ravel()
    scale = np.zeros_like(sums)
    nonzero = sums > 0
    scale[nonzero] = 1.0 / sums[nonzero] ** power
    return sp.csr_matrix(sp.diags(scale.astype(np.float32)) @ matrix)
