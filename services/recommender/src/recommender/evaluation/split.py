"""The seeded per-user holdout split used for both the test and the validation evaluation.

For every user with at least ``min_artists`` listened artists, ``max(1, round(fraction * n))``
of them, drawn uniformly with a seeded generator, move from the training snapshot to the
held-out listens. Users with fewer artists stay entirely in training and are not evaluated.
Tag assignments a user made on an artist held out for that user are removed from training
too, so no trace of a held-out (user, artist) pair is left for a model to find.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from recommender.algorithms.snapshot import IntArray, Listens, Snapshot, TagAssignments


@dataclass(frozen=True)
class HoldoutSplit:
    """The training snapshot and the listens held out from it."""

    train: Snapshot
    held_out: Listens


def holdout_counts(n_artists: IntArray, *, fraction: float, min_artists: int) -> IntArray:
    """How many artists each user holds out: 0 below ``min_artists``, else ≥ 1."""
    rounded = np.floor(fraction * n_artists + 0.5).astype(np.int64)
    return np.where(n_artists >= min_artists, np.maximum(rounded, 1), 0)


def _pair_keys(user_ids: IntArray, artist_ids: IntArray) -> IntArray:
    return (user_ids << np.int64(32)) | artist_ids


def holdout_split(
    snapshot: Snapshot, *, seed: int, fraction: float = 0.2, min_artists: int = 5
) -> HoldoutSplit:
    """Hold out ``fraction`` of each eligible user's artists; the result depends only on the
    snapshot's content and ``seed``, not on the order of its rows."""
    if not 0.0 < fraction < 1.0:
        raise ValueError("fraction must be between 0 and 1")
    listens = snapshot.listens
    order = np.lexsort((listens.artist_ids, listens.user_ids))
    users, artists, weights = (
        listens.user_ids[order],
        listens.artist_ids[order],
        listens.weights[order],
    )
    rng = np.random.default_rng(seed)
    shuffled = np.lexsort((rng.random(len(users)), users))
    _, starts, counts = np.unique(users, return_index=True, return_counts=True)
    rank_in_user = np.empty(len(users), dtype=np.int64)
    rank_in_user[shuffled] = np.arange(len(users)) - np.repeat(starts, counts)
    n_held = np.repeat(holdout_counts(counts, fraction=fraction, min_artists=min_artists), counts)
    held = rank_in_user < n_held

    train_tags = snapshot.tags
    if train_tags is not None:
        tagged_held = np.isin(
            _pair_keys(train_tags.user_ids, train_tags.artist_ids),
            _pair_keys(users[held], artists[held]),
        )
        train_tags = TagAssignments(
            train_tags.user_ids[~tagged_held],
            train_tags.artist_ids[~tagged_held],
            train_tags.tag_ids[~tagged_held],
        )
    train = Snapshot(
        listens=Listens(users[~held], artists[~held], weights[~held]),
        friendships=snapshot.friendships,
        tags=train_tags,
    )
    return HoldoutSplit(train=train, held_out=Listens(users[held], artists[held], weights[held]))
