"""The offline evaluation protocol: aligned train/held-out matrices and scoring a model on them.

Both the test evaluation (snapshot -> train + test) and the validation evaluation
(train -> train' + validation) use :func:`make_eval_split`, i.e. the same seeded holdout.
All splits share the whole snapshot's user and artist indexes, so a matrix from any of them
lines up with any other.

The artist index may be a capped catalogue (the most listened artists, see
:func:`recommender.algorithms.matrix.most_listened`): held-out artists outside it still count
as relevant (misses no model can avoid), so the metrics do not improve by shrinking the
catalogue. On a large data set the evaluated users may be a seeded sample
(``max_users``); when fewer users are eligible, all of them are evaluated.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from recommender.algorithms.base import Recommender
from recommender.algorithms.matrix import IdIndex, Interactions, build_interactions, coo_to_csr
from recommender.algorithms.snapshot import IntArray, Snapshot
from recommender.evaluation.metrics import Metrics, evaluate_top_k
from recommender.evaluation.split import HoldoutSplit, holdout_split

K = 10
"""Recommendation list length every metric is computed at."""

SAMPLE_STREAM = 1
"""Second word of the user sample's seed: a generator apart from the holdout's own."""


@dataclass(frozen=True)
class EvalSplit:
    """Training interactions, the held-out relevance matrix and the users evaluated.

    ``train_snapshot`` is what the next (validation) split is carved from; ``n_held_out``
    counts each user's held-out artists, including those outside the artist index.
    """

    train_snapshot: Snapshot
    train: Interactions
    relevant: sp.csr_matrix
    users: IntArray
    n_held_out: IntArray

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
    max_users: int | None = None,
    split: HoldoutSplit | None = None,
) -> EvalSplit:
    """Hold out part of ``snapshot`` (see :func:`holdout_split`) on the given indexes.

    ``split`` passes that holdout when the caller already made it (same arguments); with
    ``max_users`` at most that many users are evaluated (:func:`sample_users`)."""
    if split is None:
        split = holdout_split(snapshot, seed=seed, fraction=fraction, min_artists=min_artists)
    train = build_interactions(split.train, users=users, items=items)
    held_users = users.index_of(split.held_out.user_ids)
    relevant = coo_to_csr(held_users, items.index_of(split.held_out.artist_ids), 1.0, train.shape)
    n_held_out = np.bincount(held_users[held_users >= 0], minlength=len(users)).astype(np.int64)
    evaluated = sample_users(np.flatnonzero(n_held_out > 0), max_users, seed=seed)
    return EvalSplit(
        train_snapshot=split.train,
        train=train,
        relevant=relevant,
        users=evaluated,
        n_held_out=n_held_out,
    )


def sample_users(eligible: IntArray, max_users: int | None, *, seed: int) -> IntArray:
    """``eligible`` (sorted) when at most ``max_users``; otherwise a seeded uniform sample of
    ``max_users`` of them, sorted. The sample depends only on ``eligible`` and ``seed``."""
    eligible = np.asarray(eligible, dtype=np.int64)
    if max_users is None or len(eligible) <= max_users:
        return eligible
    rng = np.random.default_rng([seed, SAMPLE_STREAM])
    return np.sort(rng.choice(eligible, size=max_users, replace=False))


POPULAR_ARTISTS = 100
"""The popular share counts recommendations among this many most played artists."""


def most_played(plays: sp.csr_matrix, n: int = POPULAR_ARTISTS) -> IntArray:
    """Item indexes of the ``n`` artists with the most plays in ``plays``."""
    totals = np.asarray(plays.sum(axis=0)).ravel()
    return np.argsort(-totals, kind="stable")[:n].astype(np.int64)


def evaluate_model(model: Recommender, split: EvalSplit, *, k: int = K) -> Metrics:
    """Metrics@k of a model fitted on ``split.train``, training artists excluded; the
    popular share counts the training part's most played artists."""
    recommended = model.recommend_batch(split.users, k, exclude=split.train.plays)
    return evaluate_top_k(
        recommended,
        split.relevant[split.users],
        n_items=split.n_items,
        k=k,
        n_relevant=split.n_held_out[split.users],
        popular=most_played(split.train.plays),
    )
