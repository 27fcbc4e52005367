"""The offline evaluation protocol: aligned train/held-out matrices and scoring a model on them.

Both the test evaluation (snapshot -> train + test) and the validation evaluation
(train -> train' + validation) use :func:`make_eval_split`, i.e. the same seeded holdout.
All splits share the whole snapshot's user and artist indexes, so a matrix from any of them
lines up with any other.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from recommender.algorithms.base import Recommender
from recommender.algorithms.matrix import IdIndex, Interactions, build_interactions, coo_to_csr
from recommender.algorithms.snapshot import IntArray, Snapshot
from recommender.evaluation.metrics import Metrics, evaluate_top_k
from recommender.evaluation.split import holdout_split

K = 10
"""Recommendation list length every metric is computed at."""


@dataclass(frozen=True)
class EvalSplit:
    """Training interactions, the held-out relevance matrix and the users evaluated.

    ``train_snapshot`` is what the next (validation) split is carved from.
    """

    train_snapshot: Snapshot
    train: Interactions
    relevant: sp.csr_matrix
    users: IntArray

    @property
    def n_items(self) -> int:
        return int(self.train.shape[1])


def make_eval_split(
    snapshot: Snapshot,
    *,
    seed: int,
    users: IdIndex,
    items: IdIndex,
    fraction: float = 0.2,
    min_artists: int = 5,
) -> EvalSplit:
    """Hold out part of ``snapshot`` (see :func:`holdout_split`) on the given indexes."""
    split = holdout_split(snapshot, seed=seed, fraction=fraction, min_artists=min_artists)
    train = build_interactions(split.train, users=users, items=items)
    relevant = coo_to_csr(
        users.index_of(split.held_out.user_ids),
        items.index_of(split.held_out.artist_ids),
        1.0,
        train.shape,
    )
    evaluated = np.flatnonzero(np.diff(relevant.indptr) > 0).astype(np.int64)
    return EvalSplit(train_snapshot=split.train, train=train, relevant=relevant, users=evaluated)


def evaluate_model(model: Recommender, split: EvalSplit, *, k: int = K) -> Metrics:
    """Metrics@k of a model fitted on ``split.train``, training artists excluded."""
    recommended = model.recommend_batch(split.users, k, exclude=split.train.plays)
    return evaluate_top_k(recommended, split.relevant[split.users], n_items=split.n_items, k=k)
