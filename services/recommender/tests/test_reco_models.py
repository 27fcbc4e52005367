"""Each model on tiny hand-made matrices with known answers."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.sparse as sp

from recommender.algorithms import ALS, EASE, Blend, ItemKNN, Popularity, Social, TagProfile
from recommender.algorithms.base import NotFittedError, Recommender, top_k
from recommender.algorithms.blend import log_popularity, normalise_scores
from recommender.algorithms.matrix import SideInfo, apply_weighting

# Users 0-2 listen to items 0-1-2 in the pattern of the EASE worked example below.
THREE = sp.csr_matrix(np.array([[1, 1, 0], [0, 1, 1], [1, 1, 1]], dtype=np.float32))


def blocks() -> sp.csr_matrix:
    """Two taste groups: users 0-5 play items 0-4, users 6-11 items 5-9; user 0 misses item 4
    and user 6 misses item 9."""
    plays = np.zeros((12, 10), dtype=np.float32)
    plays[:6, :5] = 5
    plays[6:, 5:] = 5
    plays[0, 4] = 0
    plays[6, 9] = 0
    return sp.csr_matrix(plays)


def no_friends(n_users: int) -> SideInfo:
    return SideInfo(friends=sp.csr_matrix((n_users, n_users), dtype=np.float32))


def test_popularity_orders_by_listeners_then_plays() -> None:
    plays = sp.csr_matrix(
        np.array([[1, 0, 9, 1], [1, 0, 0, 1], [1, 5, 0, 50], [0, 5, 0, 0]], dtype=np.float32)
    )
    model = Popularity().fit(plays)
    # Listeners: item0 3, item1 2, item2 1, item3 3; item3 has more plays than item0.
    items, listeners = model.top(4)
    assert items.tolist() == [3, 0, 1, 2]
    assert listeners.tolist() == [3, 3, 2, 1]
    recommended, _ = model.recommend(1, 2, exclude=[0, 3])
    assert recommended.tolist() == [1, 2]


def test_item_knn_similarity_values() -> None:
    # Item vectors over users: i0 = (1,0,1), i1 = (1,1,1), i2 = (0,1,1).
    model = ItemKNN(shrink=0.0, neighbours=10).fit(THREE)
    sim = model.similarity.toarray()
    assert sim[0, 1] == pytest.approx(2 / math.sqrt(6))
    assert sim[0, 2] == pytest.approx(0.5)
    assert sim[1, 2] == pytest.approx(2 / math.sqrt(6))
    assert np.diag(sim).tolist() == [0, 0, 0]
    # User 0 listens to i0 and i1: score(i2) = sim(0,2) + sim(1,2).
    assert model.score(np.array([0]))[0, 2] == pytest.approx(0.5 + 2 / math.sqrt(6))
    shrunk = ItemKNN(shrink=1.0).fit(THREE).similarity.toarray()
    assert shrunk[0, 2] == pytest.approx(1 / (2 + 1))
    items, values = model.similar_items(0, 2)
    assert items.tolist() == [1, 2]
    assert values[0] == pytest.approx(2 / math.sqrt(6))


def test_item_knn_keeps_only_the_closest_neighbours() -> None:
    model = ItemKNN(shrink=0.0, neighbours=1).fit(THREE)
    # Target i2's single neighbour is i1 (0.816 > 0.5), so i0 no longer contributes.
    assert model.score(np.array([0]))[0, 2] == pytest.approx(2 / math.sqrt(6))


@pytest.mark.parametrize("solver", ["primal", "dual"])
def test_ease_closed_form_on_three_items(solver: str) -> None:
    # G + I = [[3,2,1],[2,4,2],[1,2,3]], inverse P = [[.5,-.25,0],[-.25,.5,-.25],[0,-.25,.5]],
    # B = -P / diag(P) with a zero diagonal.
    model = EASE(l2=1.0, weighting="binary", solver=solver).fit(THREE)  # type: ignore[arg-type]
    assert model.solved_with == solver
    expected = np.array([[0, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0]])
    weights = np.vstack([model.item_weights(i) for i in range(3)])
    np.testing.assert_allclose(weights, expected, atol=1e-6)
    np.testing.assert_allclose(model.score(np.arange(3)), THREE.toarray() @ expected, atol=1e-6)
    items, _ = model.similar_items(1, 2)
    assert sorted(items.tolist()) == [0, 2]


def test_ease_primal_and_dual_agree_and_inactive_items_are_never_scored() -> None:
    rng = np.random.default_rng(3)
    plays = sp.csr_matrix((rng.random((15, 40)) < 0.25) * rng.integers(1, 50, (15, 40)))
    primal = EASE(l2=3.0, solver="primal", min_listeners=2).fit(plays)
    dual = EASE(l2=3.0, solver="dual", min_listeners=2).fit(plays)
    auto = EASE(l2=3.0, min_listeners=2).fit(plays)
    assert auto.solved_with == "dual"  # fewer users than active items
    users = np.arange(15)
    np.testing.assert_allclose(primal.score(users), dual.score(users), rtol=1e-4, atol=1e-5)
    inactive = np.bincount(plays.indices, minlength=40) < 2
    assert np.isneginf(dual.score(users)[:, inactive]).all()
    # Fold-in of weighted rows reproduces the training users' scores, in both solvers.
    vectors = apply_weighting(plays, dual.weighting)[:3]
    for model in (primal, dual):
        np.testing.assert_allclose(
            model.score_vectors(vectors), model.score(np.arange(3)), rtol=1e-4, atol=1e-4
        )


def test_social_weights_friends_by_taste() -> None:
    plays = sp.csr_matrix(np.array([[1, 0, 0, 0], [1, 1, 0, 0], [0, 0, 1, 1]], dtype=np.float32))
    friends = sp.csr_matrix(np.array([[0, 1, 1], [1, 0, 0], [1, 0, 0]], dtype=np.float32))
    model = Social(weighting="binary", base=0.1).fit(plays, SideInfo(friends=friends))
    # cos(user0, user1) = 1/sqrt(2), cos(user0, user2) = 0; friend rows are unit vectors.
    w1, w2 = 0.1 + 1 / math.sqrt(2), 0.1
    scores = model.score(np.array([0]))[0]
    np.testing.assert_allclose(
        scores,
        [w1 / math.sqrt(2), w1 / math.sqrt(2), w2 / math.sqrt(2), w2 / math.sqrt(2)],
        rtol=1e-6,
    )
    friends_ranked, weights = model.similar_users(0, 5)
    assert friends_ranked.tolist() == [1, 2]
    assert weights[0] == pytest.approx(w1)
    # Without side information nobody has friends: all zero.
    assert not Social().fit(plays).score(np.arange(3)).any()


def test_tag_profile_prefers_artists_with_the_users_tags() -> None:
    plays = sp.csr_matrix(np.array([[1, 0, 0], [0, 1, 1]], dtype=np.float32))
    # Tags: 0 = rock (on items 0, 1), 1 = jazz (on item 2); user 0 tags with rock.
    item_tags = sp.csr_matrix(np.array([[3, 0], [2, 0], [0, 4]], dtype=np.float32))
    user_tags = sp.csr_matrix(np.array([[2, 0], [0, 0]], dtype=np.float32))
    side = SideInfo(
        friends=sp.csr_matrix((2, 2)),
        user_tags=user_tags,
        item_tags=item_tags,
        tag_ids=np.array([10, 20]),
    )
    scores = TagProfile(listened_weight=0.0).fit(plays, side).score(np.array([0]))[0]
    assert scores[1] > scores[2]


def test_blocks_every_collaborative_model_finds_the_missing_item() -> None:
    plays = blocks()
    models: list[Recommender] = [
        ItemKNN(shrink=1.0),
        ALS(factors=4, regularization=0.01, iterations=10, seed=1, threads=1),
        EASE(l2=1.0),
    ]
    for model in models:
        model.fit(plays, no_friends(12))
        for user, missing in ((0, 4), (6, 9)):
            items, _ = model.recommend(user, 1, exclude=plays[user].indices)
            assert items.tolist() == [missing], model.name


def test_als_is_seeded_and_warm_starts() -> None:
    plays = blocks()
    first = ALS(factors=4, iterations=6, seed=5, threads=1).fit(plays)
    again = ALS(factors=4, iterations=6, seed=5, threads=1).fit(plays)
    np.testing.assert_allclose(first.user_factors, again.user_factors)
    stepped = ALS(factors=4, iterations=3, seed=5, threads=1).fit(plays)
    stepped.train_more(3)
    assert stepped.iterations == 6
    np.testing.assert_allclose(stepped.item_factors, first.item_factors, rtol=1e-4, atol=1e-6)
    items, _ = first.similar_items(0, 3)
    assert set(items.tolist()) <= {1, 2, 3, 4}
    users, _ = first.similar_users(1, 3)
    assert set(users.tolist()) <= {0, 2, 3, 4, 5}
    with pytest.raises(NotFittedError):
        _ = ALS().user_factors


def test_normalise_scores() -> None:
    scores = np.array(
        [[2.0, -4.0, -np.inf], [0.0, 0.0, 0.0], [-np.inf, -np.inf, -np.inf]], dtype=np.float32
    )
    np.testing.assert_allclose(
        normalise_scores(scores), [[0.5, -1.0, -1.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
    )


def test_blend_combines_normalised_components() -> None:
    plays = blocks()
    side = no_friends(12)
    knn = ItemKNN(shrink=1.0).fit(plays, side)
    pop = Popularity().fit(plays, side)
    blend = Blend.of_fitted([(knn, 1.0), (pop, 0.5)])
    users = np.arange(12)
    expected = normalise_scores(knn.score(users)) + 0.5 * normalise_scores(pop.score(users))
    np.testing.assert_allclose(blend.score(users), expected, rtol=1e-6)
    # A one-component blend ranks exactly like that component.
    alone = Blend.of_fitted([(knn, 2.0)])
    np.testing.assert_array_equal(
        alone.recommend_batch(users, 3, exclude=plays), knn.recommend_batch(users, 3, exclude=plays)
    )
    refitted = blend.clone().fit(plays, side)
    np.testing.assert_allclose(refitted.score(users), expected, rtol=1e-6)
    assert blend.params()["weights"] == {"item_knn": 1.0, "popularity": 0.5}


def test_the_popularity_penalty_demotes_artists_by_their_log_listeners() -> None:
    plays = blocks()
    side = no_friends(12)
    knn = ItemKNN(shrink=1.0).fit(plays, side)
    listeners = np.bincount(plays.indices, minlength=plays.shape[1])
    popularity = log_popularity(plays)
    assert popularity.max() == pytest.approx(1.0)
    np.testing.assert_allclose(popularity, np.log1p(listeners) / np.log1p(listeners.max()))
    users = np.arange(12)
    penalised = Blend.of_fitted([(knn, 1.0)], popularity_penalty=0.4)
    expected = normalise_scores(knn.score(users)) - 0.4 * popularity[None, :]
    np.testing.assert_allclose(penalised.score(users), expected, rtol=1e-6, atol=1e-7)
    refitted = penalised.clone().fit(plays, side)
    assert refitted.popularity_penalty == 0.4
    np.testing.assert_allclose(refitted.score(users), expected, rtol=1e-6, atol=1e-7)
    assert penalised.params()["popularity_penalty"] == 0.4
    with pytest.raises(ValueError, match="negative"):
        Blend([(knn, 1.0)], popularity_penalty=-0.1)


def test_top_k_orders_best_first_and_pads_when_everything_is_excluded() -> None:
    scores = np.array([[0.1, 0.9, 0.5, -np.inf], [-np.inf] * 4], dtype=np.float32)
    assert top_k(scores, 3).tolist() == [[1, 2, 0], [-1, -1, -1]]
    exclude = sp.csr_matrix(np.array([[0, 1, 0, 0], [0, 0, 0, 0]], dtype=np.float32))
    model = Popularity().fit(sp.csr_matrix(np.array([[1, 1, 1, 0], [0, 1, 0, 0]])))
    assert model.recommend_batch(np.array([0, 1]), 2, exclude=exclude).tolist() == [
        [0, 2],
        [1, 0],
    ]
    with pytest.raises(NotFittedError):
        _ = Popularity().train
