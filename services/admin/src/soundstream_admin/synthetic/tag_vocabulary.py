"""The tag vocabulary: a general pool and one pool per genre, each with shared and personal tags.

A pool's shared tags (its head) are drawn by popularity (Zipf, the genre's name first).
Its personal tags (the tail) stand for the idiosyncratic labels a single user invents: they
are handed out one after the other, so most are used once and the rest never, as in the
real tags.dat.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from soundstream_admin.synthetic import calibration as cal
from soundstream_admin.synthetic import vocab
from soundstream_admin.synthetic.names import tag_pool_values

Int64Array = npt.NDArray[np.int64]

TAG_ZIPF_EXPONENT = 1.7
TAG_ZIPF_OFFSET = 2.0
SHARED_TAG_SHARE = 0.4
"""Share of each pool drawn by popularity; the rest are personal tags."""
GENERAL_POOL_SHARE = 0.04
"""Share of the vocabulary in the general pool."""


@dataclass
class Vocabulary:
    """Tag values in pool order (pool 0 general, pool g+1 genre g) and how they are drawn."""

    values: list[str]
    pool_start: Int64Array
    pool_end: Int64Array
    cumulative: npt.NDArray[np.float64]
    """Cumulative draw weight in pool order; personal tags weigh nothing."""
    personal: Int64Array
    """Personal tags in the order they are handed out."""
    personal_used: int = field(default=0)

    def draw(self, rng: np.random.Generator, pool: Int64Array) -> Int64Array:
        """One shared tag (index into ``values``) from each given pool, by popularity."""
        low = np.r_[0.0, self.cumulative][self.pool_start[pool]]
        high = self.cumulative[self.pool_end[pool] - 1]
        found = cal.search(self.cumulative, low + rng.random(pool.shape[0]) * (high - low))
        tags: Int64Array = np.clip(found, self.pool_start[pool], self.pool_end[pool] - 1)
        return tags.astype(np.int64)

    def next_personal(self, count: int) -> Int64Array:
        """The next ``count`` personal tags (starting over once all have been used)."""
        if self.personal.shape[0] == 0:
            return np.zeros(0, dtype=np.int64)
        positions = (self.personal_used + np.arange(count)) % self.personal.shape[0]
        self.personal_used += count
        chosen: Int64Array = self.personal[positions]
        return chosen


def vocabulary(
    rng: np.random.Generator, tags: int, genre_weights: npt.NDArray[np.float64]
) -> Vocabulary:
    """``tags`` distinct tag values split into the general pool and one pool per genre."""
    genres = genre_weights.shape[0]
    general = max(len(vocab.GENERAL_TAGS), round(tags * GENERAL_POOL_SHARE))
    rest = max(genres, tags - general)
    genre_sizes = np.maximum(1, np.floor(genre_weights * rest).astype(np.int64))
    genre_sizes[0] += rest - int(genre_sizes.sum())
    sizes = [general, *(int(size) for size in genre_sizes)]
    heads = [list(vocab.GENERAL_TAGS)]
    for g in range(genres):
        name, subgenres = vocab.GENRES[g % len(vocab.GENRES)]
        heads.append([name, *subgenres])
    pools = tag_pool_values(rng, sizes, heads)
    values = [value for pool in pools for value in pool]
    lengths = np.array([len(pool) for pool in pools], dtype=np.int64)
    pool_end = np.cumsum(lengths)
    pool_start = pool_end - lengths
    rank = np.arange(len(values), dtype=np.int64) - np.repeat(pool_start, lengths)
    shared_count = np.maximum(
        np.array([len(h) for h in heads], dtype=np.int64), np.ceil(lengths * SHARED_TAG_SHARE)
    ).astype(np.int64)
    shared = rank < np.repeat(np.minimum(shared_count, lengths), lengths)
    use = np.where(shared, (rank + TAG_ZIPF_OFFSET) ** -TAG_ZIPF_EXPONENT, 0.0)
    personal = rng.permutation(np.flatnonzero(~shared)).astype(np.int64)
    return Vocabulary(values, pool_start, pool_end, np.cumsum(use), personal)
