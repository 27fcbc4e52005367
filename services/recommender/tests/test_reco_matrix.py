"""Id maps, sparse matrix construction and confidence weightings."""

from __future__ import annotations

import numpy as np
import pytest

from recommender.algorithms.matrix import IdIndex, Weighting, apply_weighting, build_interactions
from recommender.algorithms.snapshot import Friendships, Listens, Snapshot, TagAssignments


def snapshot() -> Snapshot:
    return Snapshot(
        listens=Listens.from_arrays([10, 10, 20, 30], [7, 9, 7, 5], [100, 1, 40, 3]),
        friendships=Friendships.from_arrays([10, 20, 40], [20, 10, 10]),
        tags=TagAssignments.from_arrays([10, 20, 20], [7, 7, 99], [3, 3, 8]),
    )


def test_id_index_maps_both_ways_and_flags_unknown_ids() -> None:
    index = IdIndex([30, 10, 20, 10])
    assert index.ids.tolist() == [10, 20, 30]
    assert index.index_of([20, 30, 10, 15, 99]).tolist() == [1, 2, 0, -1, -1]
    assert index.id_of([2, 0]).tolist() == [30, 10]
    assert IdIndex([]).index_of([1]).tolist() == [-1]


def test_interactions_hold_play_counts_friends_and_tags() -> None:
    data = build_interactions(snapshot())
    # Users come from listens and friendships; artists only from listens.
    assert data.users.ids.tolist() == [10, 20, 30, 40]
    assert data.items.ids.tolist() == [5, 7, 9]
    assert data.plays.toarray().tolist() == [[0, 100, 1], [0, 40, 0], [3, 0, 0], [0, 0, 0]]
    assert data.side.friends.toarray().tolist() == [
        [0, 1, 0, 0],
        [1, 0, 0, 0],
        [0, 0, 0, 0],
        [1, 0, 0, 0],
    ]
    assert data.side.tag_ids is not None
    assert data.side.tag_ids.tolist() == [3, 8]
    assert data.side.user_tags is not None
    assert data.side.item_tags is not None
    assert data.side.user_tags.toarray().tolist() == [[1, 0], [1, 1], [0, 0], [0, 0]]
    # Artist 99 has no listens, so its tag assignment is dropped from the artist profile.
    assert data.side.item_tags.toarray().tolist() == [[0, 0], [2, 0], [0, 0]]


def test_duplicate_listens_are_summed() -> None:
    data = build_interactions(
        Snapshot(Listens.from_arrays([1, 1], [2, 2], [3, 4]), Friendships.from_arrays([], []))
    )
    assert data.plays.toarray().tolist() == [[7]]


def test_reusing_indexes_keeps_columns_aligned() -> None:
    full = build_interactions(snapshot())
    part = Snapshot(Listens.from_arrays([30], [5], [3]), Friendships.from_arrays([], []))
    data = build_interactions(part, users=full.users, items=full.items)
    assert data.shape == full.shape
    assert data.plays.toarray()[2].tolist() == [3, 0, 0]


def test_weightings() -> None:
    plays = build_interactions(snapshot()).plays
    assert apply_weighting(plays, Weighting.BINARY).toarray().tolist() == [
        [0, 1, 1],
        [0, 1, 0],
        [1, 0, 0],
        [0, 0, 0],
    ]
    # Median of the stored play counts (1, 3, 40, 100) is 21.5.
    log = apply_weighting(plays, "log").toarray()
    assert log[0, 1] == pytest.approx(1 + np.log1p(100 / 21.5))
    assert log[0, 2] == pytest.approx(1 + np.log1p(1 / 21.5))
    # Rank: position of each artist among the user's own artists, in (0, 1].
    assert apply_weighting(plays, "rank").toarray()[0].tolist() == [0, 1.0, 0.5]
    # BM25 and TF-IDF keep the sparsity pattern and favour the heavier listen within a user.
    for weighting in (Weighting.BM25, Weighting.TFIDF):
        weighted = apply_weighting(plays, weighting)
        assert (weighted.toarray() > 0).tolist() == (plays.toarray() > 0).tolist()
        assert weighted[0, 1] > weighted[0, 2]
    assert plays[0, 1] == 100  # the input is left untouched
