"""The seeded per-user holdout: sizes, eligibility, determinism and no leakage."""

from __future__ import annotations

import numpy as np

from recommender.algorithms.snapshot import Friendships, Listens, Snapshot, TagAssignments
from recommender.evaluation.split import holdout_counts, holdout_split


def snapshot(artists_per_user: dict[int, int]) -> Snapshot:
    users, artists = [], []
    for user, count in artists_per_user.items():
        users += [user] * count
        artists += list(range(100, 100 + count))
    weights = np.arange(1, len(users) + 1)
    tags = TagAssignments.from_arrays(users, artists, [1] * len(users))
    return Snapshot(
        Listens.from_arrays(users, artists, weights),
        Friendships.from_arrays([1], [2]),
        tags,
    )


def pairs(listens: Listens) -> set[tuple[int, int]]:
    return set(zip(listens.user_ids.tolist(), listens.artist_ids.tolist(), strict=True))


def test_counts_are_twenty_percent_rounded_with_at_least_one() -> None:
    counts = holdout_counts(np.array([1, 4, 5, 7, 8, 50, 52]), fraction=0.2, min_artists=5)
    assert counts.tolist() == [0, 0, 1, 1, 2, 10, 10]


def test_each_eligible_user_holds_out_twenty_percent_and_small_users_none() -> None:
    data = snapshot({1: 50, 2: 10, 3: 5, 4: 4, 5: 1})
    split = holdout_split(data, seed=7)
    held = np.bincount(split.held_out.user_ids, minlength=6)
    assert held.tolist() == [0, 10, 2, 1, 0, 0]
    kept = np.bincount(split.train.listens.user_ids, minlength=6)
    assert kept.tolist() == [0, 40, 8, 4, 4, 1]


def test_no_leakage_and_nothing_lost() -> None:
    data = snapshot({1: 50, 2: 10, 3: 6})
    split = holdout_split(data, seed=1)
    train, held = pairs(split.train.listens), pairs(split.held_out)
    assert not train & held
    assert train | held == pairs(data.listens)
    # Play counts travel with their pair.
    lookup = {
        (u, a): w
        for u, a, w in zip(
            data.listens.user_ids.tolist(),
            data.listens.artist_ids.tolist(),
            data.listens.weights.tolist(),
            strict=True,
        )
    }
    for u, a, w in zip(
        split.held_out.user_ids.tolist(),
        split.held_out.artist_ids.tolist(),
        split.held_out.weights.tolist(),
        strict=True,
    ):
        assert lookup[(u, a)] == w


def test_tags_on_held_out_pairs_are_removed_from_training() -> None:
    data = snapshot({1: 20})
    split = holdout_split(data, seed=3)
    assert split.train.tags is not None
    tags = split.train.tags
    tagged = set(zip(tags.user_ids.tolist(), tags.artist_ids.tolist(), strict=True))
    assert tagged == pairs(split.train.listens)


def test_seeded_and_independent_of_row_order() -> None:
    data = snapshot({1: 50, 2: 30})
    first = holdout_split(data, seed=42)
    again = holdout_split(data, seed=42)
    other = holdout_split(data, seed=43)
    assert pairs(first.held_out) == pairs(again.held_out)
    assert pairs(first.held_out) != pairs(other.held_out)
    order = np.random.default_rng(0).permutation(len(data.listens))
    shuffled = Snapshot(
        Listens(
            data.listens.user_ids[order],
            data.listens.artist_ids[order],
            data.listens.weights[order],
        ),
        data.friendships,
    )
    assert pairs(holdout_split(shuffled, seed=42).held_out) == pairs(first.held_out)
