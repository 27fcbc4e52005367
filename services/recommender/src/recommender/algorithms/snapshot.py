"""The raw inputs of a training run: listens, friendships and, optionally, tags and popularity.

A snapshot is plain parallel id arrays, exactly as exported by the listening and catalog
services; nothing here knows about matrices or indexes (see :mod:`recommender.algorithms.matrix`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


def _int_array(values: npt.ArrayLike) -> IntArray:
    return np.ascontiguousarray(values, dtype=np.int64).reshape(-1)


@dataclass(frozen=True)
class Listens:
    """Play counts: ``weights[i]`` plays of artist ``artist_ids[i]`` by user ``user_ids[i]``."""

    user_ids: IntArray
    artist_ids: IntArray
    weights: FloatArray

    @classmethod
    def from_arrays(
        cls, user_ids: npt.ArrayLike, artist_ids: npt.ArrayLike, weights: npt.ArrayLike
    ) -> Listens:
        """Listens from three equally long sequences (copied into int64/float64 arrays)."""
        listens = cls(
            _int_array(user_ids),
            _int_array(artist_ids),
            np.ascontiguousarray(weights, dtype=np.float64).reshape(-1),
        )
        if not len(listens.user_ids) == len(listens.artist_ids) == len(listens.weights):
            raise ValueError("listen arrays must have the same length")
        return listens

    def __len__(self) -> int:
        return len(self.user_ids)


@dataclass(frozen=True)
class Friendships:
    """Directed friendship pairs; a symmetric graph stores both directions."""

    user_ids: IntArray
    friend_ids: IntArray

    @classmethod
    def from_arrays(cls, user_ids: npt.ArrayLike, friend_ids: npt.ArrayLike) -> Friendships:
        """Friendship pairs from two equally long sequences."""
        pairs = cls(_int_array(user_ids), _int_array(friend_ids))
        if len(pairs.user_ids) != len(pairs.friend_ids):
            raise ValueError("friendship arrays must have the same length")
        return pairs

    def __len__(self) -> int:
        return len(self.user_ids)


@dataclass(frozen=True)
class TagAssignments:
    """Folksonomy: user ``user_ids[i]`` tagged artist ``artist_ids[i]`` with ``tag_ids[i]``."""

    user_ids: IntArray
    artist_ids: IntArray
    tag_ids: IntArray

    @classmethod
    def from_arrays(
        cls, user_ids: npt.ArrayLike, artist_ids: npt.ArrayLike, tag_ids: npt.ArrayLike
    ) -> TagAssignments:
        """Tag assignments from three equally long sequences."""
        tags = cls(_int_array(user_ids), _int_array(artist_ids), _int_array(tag_ids))
        if not len(tags.user_ids) == len(tags.artist_ids) == len(tags.tag_ids):
            raise ValueError("tag assignment arrays must have the same length")
        return tags

    def __len__(self) -> int:
        return len(self.user_ids)


@dataclass(frozen=True)
class Snapshot:
    """Everything one training run reads; ``tags`` is optional side information."""

    listens: Listens
    friendships: Friendships
    tags: TagAssignments | None = None
