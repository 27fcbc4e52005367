"""EASE (Steck 2019): a closed-form item-item linear model with a zero diagonal.

``B = I - P diag(1 / diag(P))`` with ``P = (X^T X + l2 I)^-1``, so a user's scores are
``x B = x - (x P) / diag(P)``. Two exact ways to get there:

* **primal**: invert the dense items x items Gram matrix. Memory grows with items squared
  (17.6k artists would take 1.2 GB in float32), so it only covers the *active* artists, those
  with at least ``min_listeners`` listeners, capped at the ``max_items`` most listened.
* **dual** (Woodbury): ``P = (I - X^T K X) / l2`` with ``K = (X X^T + l2 I)^-1``, a users x
  users inverse. ``P`` is never formed; scoring needs ``K`` and ``X`` only. When there are
  fewer users than artists (HetRec: 1.9k users, 17.6k artists) this is far cheaper and
  covers every artist.

``solver="auto"`` picks the dual when the users are fewer than the active artists and at most
``max_dual_users``. Artists outside the model get ``-inf`` and are never recommended by it.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import scipy.linalg
import scipy.linalg.lapack
import scipy.sparse as sp

from recommender.algorithms.base import NotFittedError, Recommender
from recommender.algorithms.matrix import FloatMatrix, SideInfo, Weighting, apply_weighting
from recommender.algorithms.similarity import top_of_dense
from recommender.algorithms.snapshot import IntArray

Solver = Literal["auto", "primal", "dual"]
DoubleMatrix = npt.NDArray[np.float64]

DUAL_BLOCK = 2048
"""Items processed at once when computing the dual solution's diagonal of ``P``."""


def regularised_inverse(gram: DoubleMatrix, l2: float) -> DoubleMatrix:
    """``(gram + l2 I)^-1`` of a symmetric positive semi-definite matrix (input overwritten)."""
    gram[np.diag_indices_from(gram)] += l2
    inverse: DoubleMatrix = scipy.linalg.inv(gram, overwrite_a=True, check_finite=False)
    return inverse


def cholesky_inverse(gram: DoubleMatrix, l2: float) -> DoubleMatrix:
    """``(gram + l2 I)^-1`` through a Cholesky factorisation (LAPACK ``potrf`` + ``potri``),
    about half the work of a general inverse: what makes the primal solution on 8,000 active
    artists affordable several times per run. The matrix must be positive definite (a Gram
    matrix plus ``l2 > 0``); ``gram`` (C order) is overwritten."""
    gram[np.diag_indices_from(gram)] += l2
    # A symmetric C-ordered matrix is its own transpose: ``gram.T`` is the same matrix in
    # Fortran order, which LAPACK factorises in place.
    factor, info = scipy.linalg.lapack.dpotrf(gram.T, lower=False, overwrite_a=True, clean=False)
    if info != 0:
        raise np.linalg.LinAlgError(f"Gram matrix plus l2 is not positive definite ({info})")
    inverse, info = scipy.linalg.lapack.dpotri(factor, lower=False, overwrite_c=True)
    if info != 0:
        raise np.linalg.LinAlgError(f"Cholesky inverse failed ({info})")
    _mirror_upper(inverse)
    result: DoubleMatrix = inverse
    return result


def _mirror_upper(matrix: DoubleMatrix, block: int = 1024) -> None:
    """Copy the upper triangle onto the lower one in place, a band of rows at a time."""
    n = matrix.shape[0]
    for start in range(0, n, block):
        stop = min(start + block, n)
        matrix[start:stop, :start] = matrix[:start, start:stop].T
        square = matrix[start:stop, start:stop]
        lower = np.tril_indices(stop - start, -1)
        square[lower] = square.T[lower]


def ease_weights(gram: DoubleMatrix, l2: float) -> FloatMatrix:
    """The primal EASE item-item weights ``B`` for a dense Gram matrix (input overwritten)."""
    weights = cholesky_inverse(gram, l2)
    weights /= -np.diag(weights).copy()  # in place: no second items x items float64 matrix
    weights[np.diag_indices_from(weights)] = 0.0
    # C order: the LAPACK inverse comes back in Fortran order, and a sparse @ dense product
    # would copy a Fortran-ordered matrix (256 MB at 8,000 artists) on every call.
    return np.ascontiguousarray(weights, dtype=np.float32)


class EASE(Recommender):
    """Embarrassingly shallow autoencoder; see the module docstring for the two solvers."""

    name = "ease"

    def __init__(
        self,
        *,
        l2: float = 250.0,
        weighting: Weighting | str = Weighting.LOG,
        min_listeners: int = 1,
        max_items: int = 8000,
        solver: Solver = "auto",
        max_dual_users: int = 20_000,
    ) -> None:
        super().__init__()
        self.l2 = l2
        self.weighting = Weighting(weighting)
        self.min_listeners = min_listeners
        self.max_items = max_items
        self.solver: Solver = solver
        self.max_dual_users = max_dual_users
        self.active: IntArray = np.zeros(0, dtype=np.int64)
        self.solved_with: Literal["primal", "dual"] = "primal"
        self._inputs: sp.csr_matrix = sp.csr_matrix((0, 0), dtype=np.float32)
        self._weights: FloatMatrix | None = None
        self._kernel: DoubleMatrix | None = None
        self._precision_diagonal: DoubleMatrix = np.zeros(0)
        self._inverse_diagonal: FloatMatrix = np.zeros(0, dtype=np.float32)

    def params(self) -> dict[str, Any]:
        return {
            "l2": self.l2,
            "weighting": self.weighting.value,
            "min_listeners": self.min_listeners,
            "max_items": self.max_items,
            "solver": self.solver,
            "max_dual_users": self.max_dual_users,
        }

    def _fit(self, train: sp.csr_matrix, _side: SideInfo | None, /) -> None:
        listeners = np.bincount(train.indices, minlength=train.shape[1])
        active = np.flatnonzero(listeners >= max(self.min_listeners, 1))
        n_users = train.shape[0]
        dual = self.solver == "dual" or (
            self.solver == "auto" and n_users < len(active) and n_users <= self.max_dual_users
        )
        if not dual and len(active) > self.max_items:
            most = np.argsort(-listeners[active], kind="stable")[: self.max_items]
            active = np.sort(active[most])
        self.active = active.astype(np.int64)
        self._inputs = apply_weighting(train, self.weighting)[:, self.active].tocsr()
        self.solved_with = "dual" if dual else "primal"
        if dual:
            self._fit_dual()
        else:
            gram = (self._inputs.T @ self._inputs).toarray().astype(np.float64)
            self._weights = ease_weights(gram, self.l2)
            self._kernel = None

    def _fit_dual(self) -> None:
        inputs = self._inputs
        user_gram = (inputs @ inputs.T).toarray().astype(np.float64)
        kernel = regularised_inverse(user_gram, self.l2)
        # diag(P)_i = (1 - x_i^T K x_i) / l2 for each item column x_i, in blocks of items.
        columns = inputs.T.tocsr()
        quadratic = np.empty(columns.shape[0], dtype=np.float64)
        for start in range(0, columns.shape[0], DUAL_BLOCK):
            block = columns[start : start + DUAL_BLOCK]
            quadratic[start : start + block.shape[0]] = np.asarray(
                block.multiply(block @ kernel).sum(axis=1)
            ).ravel()
        self._precision_diagonal = (1.0 - quadratic) / self.l2
        self._inverse_diagonal = (1.0 / self._precision_diagonal).astype(np.float32)
        self._kernel = kernel
        self._weights = None

    @property
    def kernel(self) -> DoubleMatrix:
        """``(X X^T + l2 I)^-1`` of the dual solution."""
        if self._kernel is None:
            raise NotFittedError("ease has no dual solution (not fitted, or solved in primal)")
        return self._kernel

    def score(self, users: IntArray) -> FloatMatrix:
        scores = np.full((len(users), self.n_items), -np.inf, dtype=np.float32)
        scores[:, self.active] = self._active_scores(users)
        return scores

    def _active_scores(self, users: IntArray) -> FloatMatrix:
        rows = self._inputs[users]
        if self._weights is not None:
            primal: FloatMatrix = np.asarray(rows @ self._weights, dtype=np.float32)
            return primal
        # For a training row, X X^T K = I - l2 K turns x P = (x - (x X^T) K X) / l2 into K[u] X.
        kernel_rows = self.kernel[users].astype(np.float32)
        times_p = np.asarray(self._inputs.T @ kernel_rows.T).T
        dual: FloatMatrix = rows.toarray()
        dual -= times_p * self._inverse_diagonal
        return dual

    def score_vectors(self, vectors: sp.csr_matrix) -> FloatMatrix:
        """Scores for users outside training (fold-in), given their weighted listening rows
        over all artists; ``-inf`` where an artist is not in the model."""
        rows = sp.csr_matrix(vectors, dtype=np.float32)[:, self.active]
        scores = np.full((rows.shape[0], self.n_items), -np.inf, dtype=np.float32)
        if self._weights is not None:
            scores[:, self.active] = rows @ self._weights
            return scores
        dense_rows = rows.toarray().astype(np.float64)
        mixed = np.asarray((rows @ self._inputs.T).todense()) @ self.kernel
        times_p = (dense_rows - np.asarray(self._inputs.T @ mixed.T).T) / self.l2
        scores[:, self.active] = dense_rows - times_p / self._precision_diagonal
        return scores

    def item_weights(self, item: int) -> FloatMatrix:
        """Row ``item`` of ``B`` over the active artists (zeros if ``item`` is not active)."""
        position = int(np.searchsorted(self.active, item))
        if position >= len(self.active) or self.active[position] != item:
            return np.zeros(len(self.active), dtype=np.float32)
        if self._weights is not None:
            primal_row: FloatMatrix = self._weights[position]
            return primal_row
        column = self._inputs[:, position].toarray().ravel().astype(np.float64)
        # Row of P: (e_i - X^T K x_i) / l2; B[i, j] = -P[i, j] / P[j, j], B[i, i] = 0.
        p_row: DoubleMatrix = -np.asarray(self._inputs.T @ (self.kernel @ column)).ravel()
        p_row[position] += 1.0
        p_row /= self.l2
        row = -p_row / self._precision_diagonal
        row[position] = 0.0
        return row.astype(np.float32)

    def similar_items(self, item: int, k: int) -> tuple[IntArray, FloatMatrix]:
        """The ``k`` artists with the largest positive weight from ``item``."""
        row = self.item_weights(item)
        if not row.any():
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        best, values = top_of_dense(row, k)
        keep = values > 0
        return self.active[best[keep]], values[keep]
