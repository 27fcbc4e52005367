"""Sparse similarity helpers shared by the neighbourhood models and the explanations."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from recommender.algorithms.snapshot import IntArray

COSINE_ROWS = 4096
"""Rows of a similarity matrix normalised at once."""

NEIGHBOUR_BLOCK_BYTES = 128 * 2**20
"""Memory of one block of dense cosines in :func:`nearest_rows` (float32 cells)."""

SAMPLE_PER_NEIGHBOUR = 8
MIN_SAMPLE_COLUMNS = 16_384
"""Size of :func:`nearest_rows`' column sample: the short list then holds about
``k * n / size`` columns per row (about 290 for 50 neighbours among 94,600 users)."""


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
    similarity = sp.csr_matrix(vectors @ vectors.T)
    norms = np.sqrt(np.asarray(vectors.multiply(vectors).sum(axis=1)).ravel())
    similarity.setdiag(0.0)
    similarity.eliminate_zeros()
    # Divided in place, a block of rows at a time: no COO copy of a Gram matrix that holds
    # tens of millions of pairs on a large catalogue.
    indptr, indices, data = similarity.indptr, similarity.indices, similarity.data
    for first in range(0, similarity.shape[0], COSINE_ROWS):
        last = min(first + COSINE_ROWS, similarity.shape[0])
        start, end = indptr[first], indptr[last]
        rows = np.repeat(np.arange(first, last), np.diff(indptr[first : last + 1]))
        data[start:end] /= norms[rows] * norms[indices[start:end]] + shrink
    similarity.sort_indices()
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


def nearest_rows(
    vectors: npt.NDArray[np.floating], k: int, *, block_bytes: int = NEIGHBOUR_BLOCK_BYTES
) -> tuple[IntArray, npt.NDArray[np.float32]]:
    """For every row of dense ``vectors``, its ``k`` most cosine-similar other rows.

    Row ``r`` of the result holds indexes and cosines, best first, ties to the lower index,
    ``-1`` / ``-inf`` padding: what :func:`top_of_dense` gives for row ``r`` on the cosines
    with every other row (a zero row has cosine 0 with everything). Rows are scored a block
    at a time within ``block_bytes``. On many rows each block first takes every row's
    ``k``-th best cosine within an evenly spread column sample, which is at most its true
    ``k``-th best, and keeps only the columns reaching it: the exact top ``k`` is then found
    in a short list, so all pairs over ~100k users cost matrix products and comparisons
    rather than a selection over every column of every row.
    """
    factors = np.asarray(vectors, dtype=np.float32)
    n = factors.shape[0]
    k = min(k, max(n - 1, 0))
    indexes = np.full((n, k), -1, dtype=np.int64)
    cosines = np.full((n, k), -np.inf, dtype=np.float32)
    if k == 0:
        return indexes, cosines
    norms = np.linalg.norm(factors, axis=1)
    norms[norms == 0] = 1.0
    sample = _column_sample(n, k)
    rows_per_block = max(1, block_bytes // (4 * n))
    for first in range(0, n, rows_per_block):
        last = min(first + rows_per_block, n)
        block = factors[first:last] @ factors.T
        for offset in range(last - first):
            # Divided by the product of the norms, as the single-row cosine does.
            block[offset] /= norms * norms[first + offset]
        block[np.arange(last - first), np.arange(first, last)] = -np.inf
        floor = None
        if sample is not None:
            floor = -np.partition(-block[:, sample], k - 1, axis=1)[:, k - 1]
        indexes[first:last], cosines[first:last] = _block_top_k(block, k, floor)
    return indexes, cosines


def _column_sample(n: int, k: int) -> IntArray | None:
    """Evenly spread columns for the short-list floor; ``None`` when the sample would not be
    much smaller than all ``n`` columns (then every column is examined)."""
    size = max(SAMPLE_PER_NEIGHBOUR * k, MIN_SAMPLE_COLUMNS)
    if 2 * size >= n:
        return None
    return np.unique(np.linspace(0, n - 1, size).astype(np.int64))


def _block_top_k(
    block: npt.NDArray[np.float32], k: int, floor: npt.NDArray[np.float32] | None
) -> tuple[IntArray, npt.NDArray[np.float32]]:
    """Per row of ``block``: its ``k`` largest finite values, best first, ties to the lower
    column, among the columns reaching ``floor`` (all finite ones without a floor)."""
    n_rows = block.shape[0]
    if floor is None:
        rows, cols = np.nonzero(np.isfinite(block))
    else:
        rows, cols = np.nonzero(block >= floor[:, None])
    values = block[rows, cols]
    order = np.lexsort((cols, -values, rows))
    rows, cols, values = rows[order], cols[order], values[order]
    starts = np.searchsorted(rows, np.arange(n_rows))
    rank = np.arange(len(rows)) - starts[rows]
    keep = rank < k
    best = np.full((n_rows, k), -1, dtype=np.int64)
    scores = np.full((n_rows, k), -np.inf, dtype=np.float32)
    best[rows[keep], rank[keep]] = cols[keep]
    scores[rows[keep], rank[keep]] = values[keep]
    return best, scores
