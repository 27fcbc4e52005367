"""Sparse similarity helpers shared by the neighbourhood models and the explanations."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from recommender.algorithms.snapshot import IntArray


def keep_top_per_row(matrix: sp.csr_matrix, k: int) -> sp.csr_matrix:
    """A copy of ``matrix`` keeping, in each row, only its ``k`` largest stored values."""
    out = sp.csr_matrix(matrix, copy=True)
    lengths = np.diff(out.indptr)
    for row in np.flatnonzero(lengths > k):
        start, end = out.indptr[row], out.indptr[row + 1]
        drop = np.argpartition(-out.data[start:end], k)[k:]
        out.data[start + drop] = 0.0
    out.eliminate_zeros()
    out.sort_indices()
    return out


def cosine_similarity(
    vectors: sp.csr_matrix, *, shrink: float = 0.0, neighbours: int | None = None
) -> sp.csr_matrix:
    """Row-by-row cosine similarity ``a.b / (|a||b| + shrink)``, zero diagonal.

    ``shrink`` damps similarities supported by few co-occurrences; with ``neighbours`` each
    row keeps only its most similar rows.
    """
    vectors = sp.csr_matrix(vectors, dtype=np.float32)
    gram = sp.csr_matrix(vectors @ vectors.T)
    norms = np.sqrt(np.asarray(vectors.multiply(vectors).sum(axis=1)).ravel())
    gram.setdiag(0.0)
    gram.eliminate_zeros()
    coo = gram.tocoo()
    denominator = norms[coo.row] * norms[coo.col] + shrink
    similarity = sp.csr_matrix(
        ((coo.data / denominator).astype(np.float32), (coo.row, coo.col)), shape=gram.shape
    )
    if neighbours is not None:
        similarity = keep_top_per_row(similarity, neighbours)
    return similarity


def top_of_row(
    row_indices: IntArray, row_values: npt.NDArray[np.floating], k: int, skip: int | None = None
) -> tuple[IntArray, npt.NDArray[np.float32]]:
    """The ``k`` best (index, value) pairs of one sparse row, best first, without ``skip``."""
    keep = row_values > 0
    if skip is not None:
        keep &= row_indices != skip
    indices, values = row_indices[keep], row_values[keep].astype(np.float32)
    order = np.lexsort((indices, -values))[:k]
    return indices[order].astype(np.int64), values[order]


def top_of_dense(
    values: npt.NDArray[np.floating], k: int, skip: int | None = None
) -> tuple[IntArray, npt.NDArray[np.float32]]:
    """The ``k`` highest entries of a dense vector as (index, value), best first."""
    scores = np.asarray(values, dtype=np.float32).copy()
    if skip is not None:
        scores[skip] = -np.inf
    k = min(k, len(scores))
    if k == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
    part = np.argpartition(-scores, k - 1)[:k]
    part = part[np.isfinite(scores[part])]
    order = np.lexsort((part, -scores[part]))
    best = part[order].astype(np.int64)
    return best, scores[best]
