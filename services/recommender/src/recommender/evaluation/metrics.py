"""Top-k ranking metrics with binary relevance: precision, recall, NDCG, coverage and the
share of popular artists among the recommendations.

``recommended`` is one row per evaluated user holding item indexes, best first (``-1`` pads a
row that has fewer than k items). ``relevant`` is a users x items sparse matrix whose stored
entries are the user's held-out items; only users with at least one are evaluated.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from recommender.algorithms.snapshot import IntArray


@dataclass(frozen=True)
class Metrics:
    """Mean per-user precision, recall and NDCG at ``k``, and catalogue coverage."""

    k: int
    users: int
    precision: float
    recall: float
    ndcg: float
    coverage: float
    popular_share: float = 0.0
    """Share of the recommended items that are among the most played artists."""

    def as_dict(self) -> dict[str, float | int]:
        """The metrics keyed by name (``precision@10``, ...), as stored with a model."""
        return {
            "users": self.users,
            f"precision@{self.k}": self.precision,
            f"recall@{self.k}": self.recall,
            f"ndcg@{self.k}": self.ndcg,
            "coverage": self.coverage,
            f"popular_share@{self.k}": self.popular_share,
        }


def hit_matrix(recommended: IntArray, relevant: sp.csr_matrix) -> npt.NDArray[np.bool_]:
    """``hits[r, j]``: is the j-th recommendation of row r relevant to that row's user?

    Row ``r`` of ``recommended`` belongs to row ``r`` of ``relevant``.
    """
    relevant = relevant.tocsr()
    n_rows, n_cols = relevant.shape
    rows = np.repeat(np.arange(n_rows, dtype=np.int64), np.diff(relevant.indptr))
    truth = np.sort(rows * n_cols + relevant.indices)
    shown = recommended >= 0
    keys = np.arange(recommended.shape[0], dtype=np.int64)[:, None] * n_cols + recommended
    position = np.searchsorted(truth, keys).clip(max=max(len(truth) - 1, 0))
    found = truth[position] == keys if len(truth) else np.zeros(keys.shape, dtype=bool)
    return found & shown


def evaluate_top_k(
    recommended: IntArray,
    relevant: sp.csr_matrix,
    *,
    n_items: int,
    k: int = 10,
    n_relevant: IntArray | None = None,
    popular: IntArray | None = None,
) -> Metrics:
    """Metrics@k of ``recommended`` (rows aligned with ``relevant``'s rows).

    Rows without relevant items are skipped. Precision divides hits by k, recall by the
    number of relevant items, NDCG normalises DCG by the ideal DCG of
    ``min(k, n_relevant)`` hits. Coverage is the share of the ``n_items`` catalogue that
    appears in at least one evaluated user's list. ``n_relevant`` (per row) overrides the
    count of ``relevant``'s entries when some relevant items lie outside its columns (a
    capped catalogue): they count as misses. ``popular`` (item indexes) gives the popular
    share: of every item shown to the evaluated users, the fraction among them.
    """
    recommended = np.asarray(recommended, dtype=np.int64)[:, :k]
    relevant = relevant.tocsr()
    if n_relevant is None:
        n_relevant = np.diff(relevant.indptr)
    n_relevant = np.asarray(n_relevant, dtype=np.int64)
    evaluated = n_relevant > 0
    if not evaluated.any():
        return Metrics(k=k, users=0, precision=0.0, recall=0.0, ndcg=0.0, coverage=0.0)
    recommended = recommended[evaluated]
    relevant = relevant[evaluated]
    n_relevant = n_relevant[evaluated]
    hits = hit_matrix(recommended, relevant)
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    dcg = (hits * discounts[: hits.shape[1]]).sum(axis=1)
    ideal = np.cumsum(discounts)[np.minimum(n_relevant, k) - 1]
    n_hits = hits.sum(axis=1)
    listed = recommended[recommended >= 0]
    shown = np.unique(listed)
    share = float(np.isin(listed, popular).mean()) if popular is not None and len(listed) else 0.0
    return Metrics(
        k=k,
        users=int(evaluated.sum()),
        precision=float(np.mean(n_hits / k)),
        recall=float(np.mean(n_hits / n_relevant)),
        ndcg=float(np.mean(dcg / ideal)),
        coverage=len(shown) / n_items if n_items else 0.0,
        popular_share=share,
    )
