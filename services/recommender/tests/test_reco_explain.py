"""Structured reasons: listened artists, friends, tags, and the popularity fallback."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from recommender.algorithms import Explainer, ReasonKind
from recommender.algorithms.matrix import SideInfo

# Items: 0 and 1 share listeners (users 1, 2), item 2 is listened by user 3 only,
# item 3 by nobody but is tagged.
PLAYS = sp.csr_matrix(
    np.array(
        [
            [5, 0, 0, 0],  # user 0: listens to item 0; friend of users 1 and 3
            [3, 2, 0, 0],
            [1, 4, 0, 0],
            [0, 0, 7, 0],
            [0, 0, 0, 0],  # user 4: nothing at all
        ],
        dtype=np.float32,
    )
)
FRIENDS = sp.csr_matrix(
    np.array(
        [[0, 1, 0, 1, 0], [1, 0, 0, 0, 0], [0] * 5, [1, 0, 0, 0, 0], [0] * 5], dtype=np.float32
    )
)
# Tag columns are tag ids 100 (rock) and 200 (jazz).
USER_TAGS = sp.csr_matrix(np.array([[4, 0], [0, 0], [0, 0], [0, 0], [0, 0]], dtype=np.float32))
ITEM_TAGS = sp.csr_matrix(np.array([[2, 0], [3, 1], [0, 5], [1, 0]], dtype=np.float32))
SIDE = SideInfo(
    friends=FRIENDS, user_tags=USER_TAGS, item_tags=ITEM_TAGS, tag_ids=np.array([100, 200])
)


def test_reasons_for_an_artist_similar_to_one_listened_liked_by_a_friend_and_tagged() -> None:
    reasons = {reason.kind: reason for reason in Explainer(PLAYS, SIDE).explain(0, 1)}
    assert set(reasons) == {ReasonKind.LISTENED, ReasonKind.FRIENDS, ReasonKind.TAGS}
    listened = reasons[ReasonKind.LISTENED]
    assert listened.artists == (0,)
    # Listener sets {0,1,2} and {1,2}: cosine 2 / (sqrt(3) sqrt(2) + shrink 10).
    assert listened.strength == pytest.approx(2 / (np.sqrt(6) + 10))
    friends = reasons[ReasonKind.FRIENDS]
    assert friends.users == (1,)
    assert friends.strength == pytest.approx(1 / 2)  # one of two friends listens to it
    tags = reasons[ReasonKind.TAGS]
    assert tags.tags == (100,)
    assert 0 < tags.strength < 1  # item 1 also carries jazz, which the user never used


def test_reasons_are_sorted_by_strength() -> None:
    reasons = Explainer(PLAYS, SIDE).explain(0, 1)
    strengths = [reason.strength for reason in reasons]
    assert strengths == sorted(strengths, reverse=True)


def test_friend_only_reason() -> None:
    reasons = Explainer(PLAYS, SIDE).explain(0, 2)
    assert [r.kind for r in reasons] == [ReasonKind.FRIENDS]
    assert reasons[0].users == (3,)


def test_popularity_is_the_fallback_reason() -> None:
    reasons = Explainer(PLAYS, SIDE).explain(4, 0)
    assert len(reasons) == 1
    assert reasons[0].kind is ReasonKind.POPULAR
    assert reasons[0].strength == pytest.approx(1.0)  # item 0 has the most listeners
    without_side = Explainer(PLAYS).explain(0, 2)
    assert [r.kind for r in without_side] == [ReasonKind.POPULAR]
    assert without_side[0].strength == pytest.approx(1 / 3)
