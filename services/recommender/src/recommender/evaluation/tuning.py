"""Hyper-parameter search on the validation split: small grids, warm starts, early exits.

A search space is a generator of fitted models that receives each model's validation
NDCG@k back (``generator.send``) and may stop early, e.g. when more ALS iterations stop
helping or a larger regularisation made things worse. :func:`tune` keeps the best model.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from typing import Any

from recommender.algorithms.als import ALS
from recommender.algorithms.base import Recommender
from recommender.algorithms.ease import EASE
from recommender.algorithms.item_knn import ItemKNN
from recommender.algorithms.matrix import Interactions
from recommender.algorithms.popularity import Popularity
from recommender.algorithms.social import Social
from recommender.algorithms.tags import TagProfile
from recommender.evaluation.metrics import Metrics
from recommender.evaluation.protocol import EvalSplit, K, evaluate_model

Trials = Generator[Recommender, float, None]
"""Yields fitted models; is sent back each model's validation NDCG@k."""

SearchSpace = Callable[[Interactions, int], Trials]
"""Builds the trials for a training set and a seed."""


def popularity_trials(train: Interactions, _seed: int) -> Trials:
    """Popularity has nothing to tune."""
    yield Popularity().fit(train.plays, train.side)


def item_knn_trials(train: Interactions, _seed: int) -> Trials:
    """Shrinkage at 300 neighbours, then 100 neighbours at the better shrinkage."""
    best_shrink, best = 0.0, -1.0
    for shrink in (5.0, 20.0):
        ndcg = yield ItemKNN(shrink=shrink, neighbours=300).fit(train.plays, train.side)
        if ndcg > best:
            best_shrink, best = shrink, ndcg
    yield ItemKNN(shrink=best_shrink, neighbours=100).fit(train.plays, train.side)


def als_trials(train: Interactions, seed: int) -> Trials:
    """Factors at 10 iterations; then the better model continues in warm-started steps of 5
    iterations (up to 25) while validation NDCG still rises."""
    best: tuple[float, ALS] | None = None
    for factors in (32, 64):
        model = ALS(factors=factors, regularization=5.0, iterations=10, seed=seed)
        ndcg = yield model.fit(train.plays, train.side)
        if best is None or ndcg > best[0]:
            best = (ndcg, model)
    assert best is not None
    previous, model = best
    while model.iterations < 25:
        model.train_more(5)
        ndcg = yield model
        if ndcg <= previous:
            return
        previous = ndcg


def ease_trials(train: Interactions, _seed: int) -> Trials:
    """L2 regularisation, increasing, stopping when it no longer helps."""
    previous = -1.0
    for l2 in (100.0, 250.0, 600.0):
        ndcg = yield EASE(l2=l2).fit(train.plays, train.side)
        if ndcg < previous:
            return
        previous = ndcg


def social_trials(train: Interactions, _seed: int) -> Trials:
    """One configuration: every friend counts 0.05 plus the taste cosine."""
    yield Social(base=0.05).fit(train.plays, train.side)


def tags_trials(train: Interactions, _seed: int) -> Trials:
    """One configuration: own tags plus twice the tags of the listened artists."""
    yield TagProfile(listened_weight=2.0).fit(train.plays, train.side)


BASELINES: dict[str, SearchSpace] = {
    "popularity": popularity_trials,
    "item_knn": item_knn_trials,
    "als": als_trials,
    "ease": ease_trials,
}
"""The single models the published blend must beat."""

SIDE_MODELS: dict[str, SearchSpace] = {"social": social_trials, "tags": tags_trials}
"""Models that only enter the blend (they rely on side information)."""


@dataclass
class Trial:
    """One evaluated configuration."""

    params: dict[str, Any]
    ndcg: float


@dataclass
class TuningResult:
    """The best configuration of one algorithm and its model fitted on validation training."""

    name: str
    model: Recommender
    metrics: Metrics
    seconds: float
    trials: list[Trial] = field(default_factory=list)

    @property
    def params(self) -> dict[str, Any]:
        return self.model.params()


def tune(name: str, space: SearchSpace, split: EvalSplit, *, seed: int, k: int = K) -> TuningResult:
    """Run a search space on ``split`` and keep the best model by NDCG@k."""
    started = time.perf_counter()
    trials: list[Trial] = []
    best: tuple[Metrics, Recommender] | None = None
    generator = space(split.train, seed)
    try:
        model = next(generator)
        while True:
            metrics = evaluate_model(model, split, k=k)
            trials.append(Trial(params=model.params(), ndcg=metrics.ndcg))
            if best is None or metrics.ndcg > best[0].ndcg:
                best = (metrics, copy.deepcopy(model))
            model = generator.send(metrics.ndcg)
    except StopIteration:
        pass
    if best is None:
        raise ValueError(f"search space {name} produced no model")
    return TuningResult(
        name=name,
        model=best[1],
        metrics=best[0],
        seconds=time.perf_counter() - started,
        trials=trials,
    )


def tune_all(
    spaces: dict[str, SearchSpace], split: EvalSplit, *, seed: int, k: int = K
) -> dict[str, TuningResult]:
    """:func:`tune` every space, in order."""
    return {name: tune(name, space, split, seed=seed, k=k) for name, space in spaces.items()}


def ordered(results: dict[str, TuningResult], names: Sequence[str]) -> list[TuningResult]:
    """The results of ``names``, best validation NDCG first."""
    return sorted((results[n] for n in names), key=lambda r: r.metrics.ndcg, reverse=True)
