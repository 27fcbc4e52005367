"""The pipeline's computing steps, free of Celery: each reads and writes files in a run directory.

A run directory holds ``snapshot.pkl`` (the downloaded data), ``matrices.pkl`` (the full
interactions and the seeded test/validation splits), ``tuned-<algorithm>.pkl`` (each
candidate tuned on validation) and ``serving.pkl`` (everything publishing writes: top-N per
user, similar artists and users, popularity, metrics). Steps are deterministic given their
inputs, so a step that is run again (a retry, a redelivered task) rewrites the same files.
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

from recommender.algorithms.base import Recommender, top_k
from recommender.algorithms.blend import Blend
from recommender.algorithms.explain import Explainer
from recommender.algorithms.matrix import Interactions, build_interactions
from recommender.evaluation.blending import build_pool, choose_weights
from recommender.evaluation.experiment import BLAS_THREADS, BLEND_NAME
from recommender.evaluation.protocol import EvalSplit, evaluate_model, make_eval_split
from recommender.evaluation.tuning import BASELINES, SIDE_MODELS, TuningResult, tune
from recommender.pipeline.snapshot_client import DatasetSnapshot

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


def candidate_names(dataset: DatasetSnapshot) -> list[str]:
    """The algorithms trained on this snapshot (tag profiles need tag assignments)."""
    tags = dataset.snapshot.tags
    return [name for name in SPACES if name != "tags" or (tags is not None and len(tags))]


def build_matrices(run_dir: Path, *, seed: int) -> dict[str, int]:
    """Step 2: index the snapshot and carve the seeded test and validation splits."""
    dataset: DatasetSnapshot = read_pickle(run_dir / "snapshot.pkl")
    full = build_interactions(dataset.snapshot)
    test = make_eval_split(dataset.snapshot, seed=seed, users=full.users, items=full.items)
    validation = make_eval_split(
        test.train_snapshot, seed=seed + 1, users=full.users, items=full.items
    )
    write_pickle(run_dir / "matrices.pkl", Matrices(full=full, test=test, validation=validation))
    return {"users": len(full.users), "artists": len(full.items), "listens": int(full.plays.nnz)}


def train_candidate(run_dir: Path, name: str, *, seed: int) -> dict[str, Any]:
    """Step 3: tune one algorithm on the validation split."""
    matrices: Matrices = read_pickle(run_dir / "matrices.pkl")
    with threadpool_limits(BLAS_THREADS, user_api="blas"):
        result = tune(name, SPACES[name], matrices.validation, seed=seed)
    write_pickle(run_dir / f"tuned-{name}.pkl", result)
    return {
        "algorithm": name,
        "params": result.params,
        "validation_ndcg": result.metrics.ndcg,
        "seconds": result.seconds,
        "trials": len(result.trials),
    }


def evaluate_and_blend(
    run_dir: Path,
    names: list[str],
    *,
    top_n: int,
    similar_n: int,
    explain_top: int,
) -> dict[str, Any]:
    """Step 4: choose blend weights on validation, score everything once on test, refit the
    chosen blend on all data and precompute what serving reads (``serving.pkl``)."""
    started = time.perf_counter()
    matrices: Matrices = read_pickle(run_dir / "matrices.pkl")
    tuned: dict[str, TuningResult] = {n: read_pickle(run_dir / f"tuned-{n}.pkl") for n in names}
    with threadpool_limits(BLAS_THREADS, user_api="blas"):
        baselines = [n for n in names if n in BASELINES]
        anchor = max(baselines, key=lambda n: tuned[n].metrics.ndcg)
        pool = build_pool({n: r.model for n, r in tuned.items()}, matrices.validation)
        choice = choose_weights(pool, anchor=anchor)
        algorithms: dict[str, dict[str, Any]] = {}
        refitted: dict[str, Recommender] = {}
        train = matrices.test.train
        for name, result in tuned.items():
            fit_started = time.perf_counter()
            model = result.model.clone().fit(train.plays, train.side)
            refitted[name] = model
            algorithms[name] = _algorithm_row(
                model.params(),
                result.metrics.ndcg,
                evaluate_model(model, matrices.test).as_dict(),
                time.perf_counter() - fit_started,
                baseline=name in BASELINES,
            )
        weights = {n: w for n, w in choice.weights.items() if w}
        blend = Blend.of_fitted([(refitted[n], w) for n, w in weights.items()])
        algorithms[BLEND_NAME] = _algorithm_row(
            {"weights": weights},
            choice.ndcg,
            evaluate_model(blend, matrices.test).as_dict(),
            0.0,
            baseline=False,
        )
        full = matrices.full
        final = {n: tuned[n].model.clone().fit(full.plays, full.side) for n in names}
        published = Blend.of_fitted([(final[n], w) for n, w in weights.items()])
        serving = _precompute(final, published, full, top_n, similar_n, explain_top)
    best_baseline = max(baselines, key=lambda n: algorithms[n]["test"]["ndcg@10"])
    summary = {
        "algorithms": algorithms,
        "best_baseline": best_baseline,
        "chosen": BLEND_NAME,
        "weights": weights,
        "seconds": time.perf_counter() - started,
    }
    write_pickle(run_dir / "serving.pkl", {**serving, "summary": summary})
    return {"chosen": BLEND_NAME, "weights": weights, "best_baseline": best_baseline}


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


def _precompute(
    final: dict[str, Recommender],
    published: Recommender,
    full: Interactions,
    top_n: int,
    similar_n: int,
    explain_top: int,
) -> dict[str, Any]:
    """Per user: top-N artists (listened ones flagged, N unlistened guaranteed), reasons for
    the first ``explain_top``; per artist and per user: nearest neighbours; popularity."""
    users, items, plays = full.users, full.items, full.plays
    listened_counts = np.diff(plays.indptr)
    width = top_n + int(listened_counts.max(initial=0))
    explainer = Explainer(plays, full.side)
    recommendations: dict[int, dict[str, Any]] = {}
    all_users = np.arange(len(users), dtype=np.int64)
    for start, block in zip(
        range(0, len(all_users), 512), published.masked_scores(all_users), strict=True
    ):
        best = top_k(block, width)
        for offset, row in enumerate(best):
            user = start + offset
            own = set(plays.indices[plays.indptr[user] : plays.indptr[user + 1]].tolist())
            entries: list[list[Any]] = []
            explained = 0
            for item in row[row >= 0].tolist():
                listened = item in own
                reasons: list[dict[str, Any]] = []
                if not listened and explained < explain_top:
                    explained += 1
                    reasons = [_reason(r, users, items) for r in explainer.explain(user, item)]
                entries.append(
                    [int(items.ids[item]), float(block[offset, item]), listened, reasons]
                )
            recommendations[int(users.ids[user])] = {"items": entries}
    knn = final.get("item_knn")
    similar_artists: dict[int, list[list[float]]] = {}
    if knn is not None and hasattr(knn, "similar_items"):
        for item in range(len(items)):
            idx, scores = knn.similar_items(item, similar_n)
            similar_artists[int(items.ids[item])] = [
                [int(items.ids[i]), float(s)] for i, s in zip(idx, scores, strict=True)
            ]
    user_model = final.get("als") or final.get("social")
    similar_users: dict[int, list[list[float]]] = {}
    if user_model is not None and hasattr(user_model, "similar_users"):
        for user in range(len(users)):
            idx, scores = user_model.similar_users(user, similar_n)
            similar_users[int(users.ids[user])] = [
                [int(users.ids[i]), float(s)] for i, s in zip(idx, scores, strict=True)
            ]
    popularity = final.get("popularity")
    popular: list[list[float]] = []
    if popularity is not None and hasattr(popularity, "top"):
        idx, listeners = popularity.top(top_n)
        popular = [[int(items.ids[i]), float(s)] for i, s in zip(idx, listeners, strict=True)]
    return {
        "recommendations": recommendations,
        "similar_artists": similar_artists,
        "similar_users": similar_users,
        "popular": popular,
        "n_users": len(users),
        "n_artists": len(items),
    }


def _reason(reason: Any, users: Any, items: Any) -> dict[str, Any]:
    """A reason with dense indexes mapped back to artist and user ids."""
    return {
        "kind": str(reason.kind),
        "strength": round(float(reason.strength), 4),
        "artists": [int(a) for a in items.id_of(list(reason.artists))],
        "users": [int(u) for u in users.id_of(list(reason.users))],
        "tags": [int(t) for t in reason.tags],
    }
