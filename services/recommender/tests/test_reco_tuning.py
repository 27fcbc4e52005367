"""Tuning on validation: the search keeps the best trial; blend weights on a candidate pool."""

from __future__ import annotations

import numpy as np
import pytest

from recommender.algorithms import ALS, Blend, ItemKNN, Popularity, Social
from recommender.algorithms.matrix import Interactions, build_interactions
from recommender.algorithms.snapshot import Snapshot
from recommender.evaluation.blending import (
    PENALTY_GRID,
    QualityTargets,
    build_pool,
    choose_weights,
)
from recommender.evaluation.protocol import EvalSplit, evaluate_model, make_eval_split
from recommender.evaluation.tuning import Trials, als_trials, tune

from .conftest import synthetic_snapshot


def split_of(snapshot: Snapshot) -> EvalSplit:
    full = build_interactions(snapshot)
    return make_eval_split(snapshot, seed=5, users=full.users, items=full.items)


def test_protocol_evaluates_every_user_with_a_held_out_artist(snapshot: Snapshot) -> None:
    split = split_of(snapshot)
    assert len(split.users) == 90
    # Held-out artists are never training artists of the same user.
    overlap = split.relevant.multiply(split.train.plays)
    assert overlap.nnz == 0
    metrics = evaluate_model(ItemKNN().fit(split.train.plays, split.train.side), split)
    popular = evaluate_model(Popularity().fit(split.train.plays), split)
    assert metrics.ndcg > popular.ndcg > 0


def test_tune_keeps_the_best_trial_and_stops_when_told(snapshot: Snapshot) -> None:
    split = split_of(snapshot)
    seen: list[float] = []

    def space(train: Interactions, _seed: int) -> Trials:
        for shrink in (0.0, 1000.0, 5.0):
            ndcg = yield ItemKNN(shrink=shrink, neighbours=5).fit(train.plays, train.side)
            seen.append(ndcg)

    result = tune("item_knn", space, split, seed=0)
    assert [t.params["shrink"] for t in result.trials] == [0.0, 1000.0, 5.0]
    assert [t.ndcg for t in result.trials] == seen
    best = max(result.trials, key=lambda t: t.ndcg)
    assert result.params == best.params
    assert result.metrics.ndcg == best.ndcg
    # The kept model is a snapshot of the best trial, usable on its own.
    assert evaluate_model(result.model, split).ndcg == pytest.approx(best.ndcg)


def test_als_search_warm_starts_and_exits_early(snapshot: Snapshot) -> None:
    split = split_of(snapshot)
    result = tune("als", als_trials, split, seed=3)
    iterations = [t.params["iterations"] for t in result.trials]
    assert iterations[:2] == [10, 10]  # 32 and 64 factors
    assert iterations[2:] == list(range(15, 15 + 5 * len(iterations[2:]), 5))
    assert isinstance(result.model, ALS)
    assert len(iterations) <= 5


def test_pool_ndcg_matches_full_evaluation_when_the_pool_is_the_catalogue(
    snapshot: Snapshot,
) -> None:
    split = split_of(snapshot)
    train = split.train
    models = {
        "item_knn": ItemKNN(shrink=2.0).fit(train.plays, train.side),
        "popularity": Popularity().fit(train.plays, train.side),
        "social": Social().fit(train.plays, train.side),
    }
    pool = build_pool(models, split, per_model=train.shape[1])
    for weights in ({"item_knn": 1.0}, {"item_knn": 1.0, "popularity": 0.5, "social": 0.25}):
        blend = Blend.of_fitted([(models[name], w) for name, w in weights.items()])
        assert pool.ndcg(weights) == pytest.approx(evaluate_model(blend, split).ndcg, abs=1e-9)
    # So do coverage and the popular share, with and without a popularity penalty.
    for penalty in (0.0, 0.3):
        weights = {"item_knn": 1.0, "popularity": 0.25}
        blend = Blend.of_fitted(
            [(models[name], w) for name, w in weights.items()], popularity_penalty=penalty
        )
        full = evaluate_model(blend, split)
        quality = pool.quality(weights, popularity_penalty=penalty)
        assert quality.ndcg == pytest.approx(full.ndcg, abs=1e-9)
        assert quality.coverage == pytest.approx(full.coverage, abs=1e-9)
        assert quality.popular_share == pytest.approx(full.popular_share, abs=1e-9)


def test_coordinate_ascent_never_does_worse_than_the_anchor(snapshot: Snapshot) -> None:
    split = split_of(snapshot)
    train = split.train
    models = {
        "popularity": Popularity().fit(train.plays, train.side),
        "item_knn": ItemKNN(shrink=2.0).fit(train.plays, train.side),
        "social": Social().fit(train.plays, train.side),
    }
    pool = build_pool(models, split)
    choice = choose_weights(pool, anchor="popularity")
    assert choice.weights["popularity"] == 1.0
    assert choice.ndcg >= pool.ndcg({"popularity": 1.0})
    # Item-kNN carries the taste groups, so the search must give it weight.
    assert choice.weights["item_knn"] > 0
    assert choice.ndcg == pytest.approx(pool.ndcg(choice.weights))
    assert np.isfinite(choice.ndcg)


def test_quality_targets_trade_the_least_ndcg_for_fewer_popular_artists() -> None:
    # 240 artists: more than the 100 most played, so the popular share can fall.
    split = split_of(synthetic_snapshot(groups=12, users_per_group=20))
    train = split.train
    models = {
        "popularity": Popularity().fit(train.plays, train.side),
        "item_knn": ItemKNN(shrink=2.0).fit(train.plays, train.side),
        "social": Social().fit(train.plays, train.side),
    }
    pool = build_pool(models, split)
    free = choose_weights(pool, anchor="item_knn")
    assert free.popularity_penalty == 0.0
    strongest = pool.quality(free.weights, popularity_penalty=PENALTY_GRID[-1])
    assert strongest.popular_share < free.popular_share
    targets = QualityTargets(
        coverage=free.coverage, popular_share=(free.popular_share + strongest.popular_share) / 2
    )
    bound = choose_weights(pool, anchor="item_knn", targets=targets)
    assert bound.coverage >= targets.coverage
    assert bound.popular_share <= targets.popular_share
    assert bound.popularity_penalty > 0
    assert strongest.ndcg <= bound.ndcg <= free.ndcg, "the least NDCG given up"
    measured = pool.quality(bound.weights, popularity_penalty=bound.popularity_penalty)
    assert (measured.ndcg, measured.popular_share) == (bound.ndcg, bound.popular_share)
    # Targets the free blend already meets cost nothing: any change must raise NDCG.
    met = QualityTargets(coverage=free.coverage, popular_share=free.popular_share)
    same = choose_weights(pool, anchor="item_knn", targets=met)
    assert same.ndcg >= free.ndcg
    assert same.coverage >= free.coverage
    assert same.popular_share <= free.popular_share
