"""The whole offline experiment: tune on validation, refit on training, score once on test.

1. Hold out 20% of each eligible user's artists (seed ``s``): training + test.
2. Carve validation from training by the same procedure (seed ``s + 1``).
3. Tune every algorithm on validation; choose the blend weights and popularity penalty on
   validation from the tuned models, meeting the quality targets there
   (:data:`recommender.evaluation.blending.QUALITY_TARGETS`).
4. Refit each tuned configuration on the full training part, evaluate it on test; the
   blend reuses those refitted components with the chosen weights.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from threadpoolctl import threadpool_limits

from recommender.algorithms.base import Recommender
from recommender.algorithms.blend import Blend
from recommender.algorithms.matrix import build_interactions
from recommender.algorithms.snapshot import Snapshot
from recommender.evaluation.blending import QUALITY_TARGETS, build_pool, choose_weights
from recommender.evaluation.metrics import Metrics
from recommender.evaluation.protocol import K, evaluate_model, make_eval_split
from recommender.evaluation.tuning import BASELINES, SIDE_MODELS, ordered, tune_all

BLAS_THREADS = 2
"""Upper bound on BLAS threads for the whole run (the machine has 2 cores)."""

BLEND_NAME = "blend"


@dataclass(frozen=True)
class AlgorithmResult:
    """One algorithm's tuned configuration, validation NDCG and test metrics."""

    name: str
    params: dict[str, Any]
    validation_ndcg: float
    test: Metrics
    fit_seconds: float
    tuning_seconds: float
    trials: int
    is_baseline: bool


@dataclass
class EvaluationReport:
    """Everything the experiment measured, plus the fitted published model."""

    seed: int
    k: int
    results: list[AlgorithmResult]
    best_baseline: str
    published: Recommender
    seconds: dict[str, float] = field(default_factory=dict)

    def result(self, name: str) -> AlgorithmResult:
        """The result of the named algorithm."""
        return next(r for r in self.results if r.name == name)

    @property
    def improvement(self) -> float:
        """Relative NDCG@k gain of the blend over the best baseline on test (0.05 = 5%)."""
        base = self.result(self.best_baseline).test.ndcg
        return self.result(BLEND_NAME).test.ndcg / base - 1.0 if base else 0.0

    def as_dict(self) -> dict[str, Any]:
        """A JSON-serialisable summary (what a model version records as its metrics)."""
        return {
            "seed": self.seed,
            "k": self.k,
            "best_baseline": self.best_baseline,
            "improvement": self.improvement,
            "seconds": self.seconds,
            "algorithms": {
                r.name: {
                    "params": r.params,
                    "validation_ndcg": r.validation_ndcg,
                    "test": r.test.as_dict(),
                    "fit_seconds": r.fit_seconds,
                    "tuning_seconds": r.tuning_seconds,
                    "trials": r.trials,
                    "baseline": r.is_baseline,
                }
                for r in self.results
            },
        }


def run_experiment(snapshot: Snapshot, *, seed: int, k: int = K) -> EvaluationReport:
    """Tune, refit and evaluate every algorithm and the blend on ``snapshot``."""
    with threadpool_limits(BLAS_THREADS, user_api="blas"):
        return _run(snapshot, seed=seed, k=k)


def _run(snapshot: Snapshot, *, seed: int, k: int) -> EvaluationReport:
    clock = time.perf_counter()
    seconds: dict[str, float] = {}
    full = build_interactions(snapshot)
    test_split = make_eval_split(snapshot, seed=seed, users=full.users, items=full.items)
    validation = make_eval_split(
        test_split.train_snapshot, seed=seed + 1, users=full.users, items=full.items
    )
    seconds["split"] = time.perf_counter() - clock

    started = time.perf_counter()
    tuned = tune_all({**BASELINES, **SIDE_MODELS}, validation, seed=seed, k=k)
    seconds["tuning"] = time.perf_counter() - started

    started = time.perf_counter()
    anchor = ordered(tuned, list(BASELINES))[0].name
    pool = build_pool({name: r.model for name, r in tuned.items()}, validation)
    choice = choose_weights(pool, anchor=anchor, targets=QUALITY_TARGETS, k=k)
    seconds["blend_weights"] = time.perf_counter() - started

    started = time.perf_counter()
    train = test_split.train
    results: list[AlgorithmResult] = []
    refitted: dict[str, Recommender] = {}
    for name, tuning in tuned.items():
        fit_started = time.perf_counter()
        model = tuning.model.clone().fit(train.plays, train.side)
        fit_seconds = time.perf_counter() - fit_started
        refitted[name] = model
        results.append(
            AlgorithmResult(
                name=name,
                params=model.params(),
                validation_ndcg=tuning.metrics.ndcg,
                test=evaluate_model(model, test_split, k=k),
                fit_seconds=fit_seconds,
                tuning_seconds=tuning.seconds,
                trials=len(tuning.trials),
                is_baseline=name in BASELINES,
            )
        )
    blend = Blend.of_fitted(
        [(refitted[name], weight) for name, weight in choice.weights.items() if weight],
        popularity_penalty=choice.popularity_penalty,
    )
    results.append(
        AlgorithmResult(
            name=BLEND_NAME,
            params={**blend.weights, "popularity_penalty": blend.popularity_penalty},
            validation_ndcg=choice.ndcg,
            test=evaluate_model(blend, test_split, k=k),
            fit_seconds=sum(r.fit_seconds for r in results if choice.weights.get(r.name)),
            tuning_seconds=seconds["blend_weights"],
            trials=choice.evaluations,
            is_baseline=False,
        )
    )
    seconds["refit_and_test"] = time.perf_counter() - started
    seconds["total"] = time.perf_counter() - clock
    best_baseline = max((r for r in results if r.is_baseline), key=lambda r: r.test.ndcg).name
    return EvaluationReport(
        seed=seed,
        k=k,
        results=results,
        best_baseline=best_baseline,
        published=blend,
        seconds=seconds,
    )
