"""Fixtures for the recommender tests: a small synthetic snapshot with clear taste groups."""

from __future__ import annotations

import numpy as np
import pytest

from recommender.algorithms.snapshot import Friendships, Listens, Snapshot, TagAssignments


def synthetic_snapshot(seed: int = 0, *, groups: int = 3, users_per_group: int = 30) -> Snapshot:
    """Users in taste groups: ~12 artists each, mostly from their group's 20 artists, a
    couple from anywhere; friends and tags follow the groups."""
    rng = np.random.default_rng(seed)
    artists_per_group = 20
    n_artists = groups * artists_per_group
    users, artists, weights = [], [], []
    friend_a, friend_b = [], []
    tag_users, tag_artists, tag_ids = [], [], []
    popularity = 1.0 / np.arange(1, artists_per_group + 1)
    for group in range(groups):
        members = np.arange(users_per_group) + group * users_per_group + 1
        own = np.arange(artists_per_group) + group * artists_per_group + 1
        for user in members:
            liked = rng.choice(own, size=10, replace=False, p=popularity / popularity.sum())
            extra = rng.choice(np.arange(1, n_artists + 1), size=2, replace=False)
            chosen = np.unique(np.concatenate([liked, extra]))
            users += [int(user)] * len(chosen)
            artists += chosen.tolist()
            weights += rng.integers(1, 500, len(chosen)).tolist()
            for friend in rng.choice(members[members != user], size=2, replace=False):
                friend_a += [int(user), int(friend)]
                friend_b += [int(friend), int(user)]
            tagged = chosen[:3]
            tag_users += [int(user)] * len(tagged)
            tag_artists += tagged.tolist()
            tag_ids += [100 + (int(a) - 1) // artists_per_group for a in tagged]
    pairs = sorted(set(zip(friend_a, friend_b, strict=True)))
    return Snapshot(
        listens=Listens.from_arrays(users, artists, weights),
        friendships=Friendships.from_arrays([a for a, _ in pairs], [b for _, b in pairs]),
        tags=TagAssignments.from_arrays(tag_users, tag_artists, tag_ids),
    )


@pytest.fixture
def snapshot() -> Snapshot:
    """A 90-user, 60-artist synthetic snapshot (seeded)."""
    return synthetic_snapshot()
