"""Choosing blend weights on the validation split.

Scoring the whole catalogue for every candidate weight vector would be slow, so each
component's normalised scores are gathered once on a per-user *candidate pool*: the union
of every component's top ``per_model`` artists (training artists excluded). A blend's top
10 almost always lies in that pool, and the chosen blend is then evaluated on the full
catalogue by the normal protocol. Weights are found by coordinate ascent over a small grid,
starting from the best single component alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from recommender.algorithms.base import Recommender, block_rows
from recommender.algorithms.blend import normalise_scores
from recommender.algorithms.snapshot import IntArray
from recommender.evaluation.metrics import hit_matrix
from recommender.evaluation.protocol import EvalSplit, K

POOL_CHUNK = 256
"""Most users scored at once while building the pool (fewer on a large catalogue: every
component's normalised float32 block is alive at once, see :func:`block_rows`)."""

WEIGHT_GRID = (0.0, 0.1, 0.25, 0.5, 1.0, 2.0)
"""Weights tried for each component, relative to the anchor component's 1.0."""


@dataclass(frozen=True)
class CandidatePool:
    """Normalised component scores on each evaluated user's candidate artists.

    ``scores[c, u, j]`` is component ``c``'s normalised score of candidate ``j`` of user
    ``u``; ``valid`` is false for padding and repeated candidates; ``relevant`` marks held-out
    candidates; ``n_relevant`` counts each user's held-out artists (in the pool or not).
    """

    names: tuple[str, ...]
    scores: npt.NDArray[np.float32]
    valid: npt.NDArray[np.bool_]
    relevant: npt.NDArray[np.bool_]
    n_relevant: IntArray

    def ndcg(self, weights: Mapping[str, float], k: int = K) -> float:
        """Mean NDCG@k of the blend with ``weights`` restricted to the pool."""
        blended: npt.NDArray[np.float32] = np.zeros(self.valid.shape, dtype=np.float32)
        for index, name in enumerate(self.names):
            weight = weights.get(name, 0.0)
            if weight:
                blended += weight * self.scores[index]
        blended[~self.valid] = -np.inf
        k = min(k, blended.shape[1])
        top = np.argpartition(-blended, k - 1, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(blended, top, axis=1), axis=1, kind="stable")
        top = np.take_along_axis(top, order, axis=1)
        hits = np.take_along_axis(self.relevant & self.valid, top, axis=1)
        discounts = 1.0 / np.log2(np.arange(2, k + 2))
        ideal = np.cumsum(discounts)[np.minimum(self.n_relevant, k) - 1]
        return float(np.mean((hits * discounts).sum(axis=1) / ideal))


def build_pool(
    models: Mapping[str, Recommender], split: EvalSplit, *, per_model: int = 100
) -> CandidatePool:
    """Gather every model's normalised scores on the union of their top ``per_model``."""
    names = tuple(models)
    users = split.users
    relevant_matrix = split.relevant.tocsr()
    blocks: list[tuple[npt.NDArray[np.float32], npt.NDArray[np.bool_], npt.NDArray[np.bool_]]]
    blocks = []
    # Every component's float32 block (half a cell of 8 bytes) plus one int64 argpartition.
    rows = block_rows(split.n_items, limit=POOL_CHUNK, cells=len(names) // 2 + 1)
    for start in range(0, len(users), rows):
        block = users[start : start + rows]
        train = split.train.plays[block].tocoo()
        normalised = []
        for model in models.values():
            scores = normalise_scores(model.score(block))
            scores[train.row, train.col] = -np.inf
            normalised.append(scores)
        width = min(per_model, normalised[0].shape[1])
        candidates = np.sort(
            np.concatenate(
                [np.argpartition(-s, width - 1, axis=1)[:, :width] for s in normalised], axis=1
            ),
            axis=1,
        )
        valid = np.ones(candidates.shape, dtype=bool)
        valid[:, 1:] = candidates[:, 1:] != candidates[:, :-1]
        gathered = np.stack([np.take_along_axis(s, candidates, axis=1) for s in normalised])
        valid &= np.isfinite(gathered).all(axis=0)
        gathered[~np.isfinite(gathered)] = 0.0
        relevant = hit_matrix(candidates, relevant_matrix[block])
        blocks.append((gathered, valid, relevant))
    width = max(b[1].shape[1] for b in blocks)
    return CandidatePool(
        names=names,
        scores=np.concatenate([_pad(b[0], width, axis=2) for b in blocks], axis=1),
        valid=np.concatenate([_pad(b[1], width, axis=1) for b in blocks], axis=0),
        relevant=np.concatenate([_pad(b[2], width, axis=1) for b in blocks], axis=0),
        n_relevant=split.n_held_out[users].astype(np.int64),
    )


def _pad(array: npt.NDArray[np.generic], width: int, *, axis: int) -> npt.NDArray[np.generic]:
    missing = width - array.shape[axis]
    if missing == 0:
        return array
    pad = [(0, 0)] * array.ndim
    pad[axis] = (0, missing)
    return np.pad(array, pad)


@dataclass(frozen=True)
class BlendChoice:
    """The chosen weights and the pool NDCG they reach on validation."""

    weights: dict[str, float]
    ndcg: float
    evaluations: int


def choose_weights(
    pool: CandidatePool,
    *,
    anchor: str,
    grid: Sequence[float] = WEIGHT_GRID,
    rounds: int = 3,
    k: int = K,
) -> BlendChoice:
    """Coordinate ascent: start from ``anchor`` alone (weight 1), then for each other
    component in turn keep the grid weight that improves pool NDCG most; repeat up to
    ``rounds`` times or until a full round changes nothing."""
    weights = {name: (1.0 if name == anchor else 0.0) for name in pool.names}
    best = pool.ndcg(weights, k)
    evaluations = 1
    for _ in range(rounds):
        changed = False
        for name in pool.names:
            if name == anchor:
                continue
            for weight in grid:
                if weight == weights[name]:
                    continue
                trial = {**weights, name: weight}
                ndcg = pool.ndcg(trial, k)
                evaluations += 1
                if ndcg > best + 1e-6:
                    best, weights, changed = ndcg, trial, True
        if not changed:
            break
    return BlendChoice(weights=weights, ndcg=best, evaluations=evaluations)
