"""The friendship graph: heavy-tailed degrees, symmetric, no self loops, no repeated pairs.

A Chung-Lu graph: each user gets a power-law "sociability" and both ends of every edge are
drawn in proportion to it, so a user's expected degree is proportional to their
sociability. Users left without a friend are linked to one (every real user has a friend).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from soundstream_admin.synthetic import calibration as cal

POWER_LAW_EXPONENT = 2.0
"""Exponent of the sociability density: P(s) ~ s^-2 (Pareto tail)."""
MAX_SOCIABILITY_RATIO = 25.0
"""Cap on sociability relative to the minimum (the real maximum degree is 119)."""


def friendships(rng: np.random.Generator, users: int, pairs: int) -> npt.NDArray[np.int64]:
    """``pairs`` undirected friendships (plus a few for friendless users) as rows (a, b), a < b.

    Values are user indexes in ``range(users)``.
    """
    if users < 2 or pairs <= 0:
        return np.zeros((0, 2), dtype=np.int64)
    pairs = min(pairs, users * (users - 1) // 2)
    sociability = np.minimum(
        (1.0 - rng.random(users)) ** (-1.0 / (POWER_LAW_EXPONENT - 1.0)), MAX_SOCIABILITY_RATIO
    )
    cumulative = np.cumsum(sociability)
    keys = np.zeros(0, dtype=np.int64)
    while keys.shape[0] < pairs:
        draws = int((pairs - keys.shape[0]) * 1.2) + 16
        ends = cal.search(cumulative, rng.random(2 * draws) * cumulative[-1]).reshape(draws, 2)
        low = np.minimum(ends[:, 0], ends[:, 1]).astype(np.int64)
        high = np.maximum(ends[:, 0], ends[:, 1]).astype(np.int64)
        keep = low != high
        keys = np.unique(np.concatenate([keys, low[keep] * users + high[keep]]))
    keys = np.sort(rng.choice(keys, size=pairs, replace=False))
    edges = np.column_stack([keys // users, keys % users])
    return _befriend_the_friendless(rng, edges, users, cumulative)


def _befriend_the_friendless(
    rng: np.random.Generator,
    edges: npt.NDArray[np.int64],
    users: int,
    cumulative: npt.NDArray[np.float64],
) -> npt.NDArray[np.int64]:
    degree = np.bincount(edges.ravel(), minlength=users)
    lonely = np.flatnonzero(degree == 0)
    if lonely.shape[0] == 0:
        return edges
    friends = np.searchsorted(cumulative, rng.random(lonely.shape[0]) * cumulative[-1], "right")
    # A lonely user drawn as their own friend takes the next user instead.
    friends = np.where(friends == lonely, (friends + 1) % users, friends)
    extra = np.column_stack([np.minimum(lonely, friends), np.maximum(lonely, friends)])
    keys = np.unique(
        np.concatenate([edges[:, 0] * users + edges[:, 1], extra[:, 0] * users + extra[:, 1]])
    )
    return np.column_stack([keys // users, keys % users])
