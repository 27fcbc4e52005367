"""The pipeline's computing steps, free of Celery: each reads its inputs' files and writes one.

The files: the downloaded snapshot, ``matrices.pkl`` (the full interactions and the seeded
test/validation splits), ``tuned.pkl`` (one candidate tuned on validation), ``serving.pkl``
(everything publishing writes: top-N per user, similar artists and users, popularity,
metrics) and beside it ``foldin.pkl`` (the published models, to score a user from their
current listens at request time: :mod:`recommender.algorithms.foldin`). Steps are
deterministic given their inputs, so a step that is run again (a retry, a redelivered task)
rewrites the same file.
"""

from __future__ import annotations

import os
import pickle
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from recommender.algorithms.base import Recommender
from recommender.algorithms.blend import Blend
from recommender.algorithms.foldin import fold_in
from recommender.algorithms.matrix import Interactions, build_interactions, most_listened
from recommender.evaluation.blending import QUALITY_TARGETS, build_pool, choose_weights
from recommender.evaluation.experiment import BLAS_THREADS, BLEND_NAME
from recommender.evaluation.protocol import EvalSplit, evaluate_model, make_eval_split
from recommender.evaluation.split import holdout_split
from recommender.evaluation.tuning import BASELINES, SIDE_MODELS, TuningResult, tune
from recommender.training.precompute import precompute
from recommender.training.snapshot_client import DatasetSnapshot

SPACES = {**BASELINES, **SIDE_MODELS}


@dataclass(frozen=True)
class Matrices:
    """The full interactions and the aligned test and validation splits."""

    full: Interactions
    test: EvalSplit
    validation: EvalSplit


def write_pickle(path: Path, value: Any) -> None:
    """Write ``value`` to ``path`` atomically (temporary file, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    with os.fdopen(fd, "wb") as handle:
        pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)


def read_pickle(path: Path) -> Any:
    """Read a file written by :func:`write_pickle` (only files the pipeline itself wrote)."""
    with path.open("rb") as handle:
        return pickle.load(handle)


def fold_in_path(serving: Path) -> Path:
    """Where the fold-in models of a ``serving.pkl`` are written (beside it)."""
    return serving.with_name("foldin.pkl")


def build_matrices(
    snapshot_path: Path,
    target: Path,
    *,
    seed: int,
    max_artists: int | None = None,
    max_eval_users: int | None = None,
) -> dict[str, int]:
    """Step 2: index the snapshot and carve the seeded test and validation splits.

    The artist index is the catalogue every model trains on and scores: at most
    ``max_artists``, the most listened in the test split's training part (so no held-out
    listen decides what is in it). Each split evaluates at most ``max_eval_users`` users.
    Reads the snapshot at ``snapshot_path``, writes the matrices to ``target``."""
    dataset: DatasetSnapshot = read_pickle(snapshot_path)
    snapshot = dataset.snapshot
    held = holdout_split(snapshot, seed=seed)
    items = most_listened(snapshot.listens.artist_ids, held.train.listens.artist_ids, max_artists)
    full = build_interactions(snapshot, items=items)
    test = make_eval_split(
        snapshot, seed=seed, users=full.users, items=items, max_users=max_eval_users, split=held
    )
    validation = make_eval_split(
        test.train_snapshot, seed=seed + 1, users=full.users, items=items, max_users=max_eval_users
    )
    write_pickle(target, Matrices(full=full, test=test, validation=validation))
    return {
        "users": len(full.users),
        "artists": len(np.unique(snapshot.listens.artist_ids)),
        "catalogue": len(items),
        "listens": len(snapshot.listens),
        "listens_in_catalogue": int(full.plays.nnz),
        "evaluated_users": len(test.users),
    }


def train_candidate(matrices_path: Path, target: Path, name: str, *, seed: int) -> dict[str, Any]:
    """Step 3: tune one algorithm on the validation split (written to ``target``)."""
    matrices: Matrices = read_pickle(matrices_path)
    with threadpool_limits(BLAS_THREADS, user_api="blas"):
        result = tune(name, SPACES[name], matrices.validation, seed=seed)
    write_pickle(target, result)
    return {
        "algorithm": name,
        "params": result.params,
        "validation_ndcg": result.metrics.ndcg,
        "seconds": result.seconds,
        "trials": len(result.trials),
    }


def evaluate_and_blend(
    matrices_path: Path,
    tuned_paths: dict[str, Path],
    target: Path,
    *,
    top_n: int,
    similar_n: int,
    explain_top: int,
) -> dict[str, Any]:
    """Step 4: choose blend weights on validation, score everything once on test, refit the
    chosen blend on all data and precompute what serving reads (written to ``target``)."""
    started = time.perf_counter()
    names = list(tuned_paths)
    matrices: Matrices = read_pickle(matrices_path)
    tuned: dict[str, TuningResult] = {n: read_pickle(path) for n, path in tuned_paths.items()}
    # Only the configurations and validation scores are kept once the pool is built: the
    # fitted models (and later the test refits) are dropped as soon as they are used, so no
    # more than one generation of models is in memory at a time.
    blueprints = {n: r.model.clone() for n, r in tuned.items()}
    validation_ndcg = {n: r.metrics.ndcg for n, r in tuned.items()}
    seconds: dict[str, float] = {}
    with threadpool_limits(BLAS_THREADS, user_api="blas"):
        baselines = [n for n in names if n in BASELINES]
        anchor = max(baselines, key=lambda n: validation_ndcg[n])
        pool = build_pool({n: r.model for n, r in tuned.items()}, matrices.validation)
        del tuned
        choice = choose_weights(pool, anchor=anchor, targets=QUALITY_TARGETS)
        del pool
        weights = {n: w for n, w in choice.weights.items() if w}
        penalty = choice.popularity_penalty
        seconds["blend_weights"] = time.perf_counter() - started
        algorithms = _test_metrics(
            blueprints, validation_ndcg, weights, penalty, choice.ndcg, matrices.test
        )
        seconds["test"] = time.perf_counter() - started - seconds["blend_weights"]
        full = matrices.full
        del matrices
        final = {n: blueprints[n].clone().fit(full.plays, full.side) for n in names}
        published = Blend.of_fitted(
            [(final[n], w) for n, w in weights.items()], popularity_penalty=penalty
        )
        seconds["refit"] = time.perf_counter() - started - sum(seconds.values())
        write_pickle(fold_in_path(target), fold_in(final, published, full.users, full.items))
        serving = precompute(
            final,
            published,
            full,
            top_n=top_n,
            similar_n=similar_n,
            explain_top=explain_top,
            seconds=seconds,
        )
    best_baseline = max(baselines, key=lambda n: algorithms[n]["test"]["ndcg@10"])
    summary = {
        "algorithms": algorithms,
        "best_baseline": best_baseline,
        "chosen": BLEND_NAME,
        "weights": weights,
        "popularity_penalty": penalty,
        "seconds": time.perf_counter() - started,
        "step_seconds": {name: round(value, 2) for name, value in seconds.items()},
    }
    write_pickle(target, {**serving, "summary": summary})
    return {"chosen": BLEND_NAME, "weights": weights, "best_baseline": best_baseline}


def _test_metrics(
    blueprints: dict[str, Recommender],
    validation_ndcg: dict[str, float],
    weights: dict[str, float],
    popularity_penalty: float,
    blend_validation_ndcg: float,
    test: EvalSplit,
) -> dict[str, dict[str, Any]]:
    """Each configuration refitted on the test split's training part and scored once on
    test, then the blend of those refits; each refit is dropped once it is not needed."""
    algorithms: dict[str, dict[str, Any]] = {}
    refitted: dict[str, Recommender] = {}
    train = test.train
    for name, blueprint in blueprints.items():
        fit_started = time.perf_counter()
        model = blueprint.clone().fit(train.plays, train.side)
        if name in weights:
            refitted[name] = model
        algorithms[name] = _algorithm_row(
            model.params(),
            validation_ndcg[name],
            evaluate_model(model, test).as_dict(),
            time.perf_counter() - fit_started,
            baseline=name in BASELINES,
        )
        del model
    blend = Blend.of_fitted(
        [(refitted[n], w) for n, w in weights.items()], popularity_penalty=popularity_penalty
    )
    algorithms[BLEND_NAME] = _algorithm_row(
        {"weights": weights, "popularity_penalty": popularity_penalty},
        blend_validation_ndcg,
        evaluate_model(blend, test).as_dict(),
        0.0,
        baseline=False,
    )
    return algorithms


def _algorithm_row(
    params: dict[str, Any],
    validation_ndcg: float,
    test: dict[str, float | int],
    fit_seconds: float,
    *,
    baseline: bool,
) -> dict[str, Any]:
    return {
        "params": params,
        "validation_ndcg": validation_ndcg,
        "test": test,
        "fit_seconds": fit_seconds,
        "baseline": baseline,
    }
