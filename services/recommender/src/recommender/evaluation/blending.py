"""Choosing blend weights on the validation split.

Scoring the whole catalogue for every candidate weight vector would be slow, so each
component's normalised scores are gathered once on a per-user *candidate pool*: the union
of every component's top ``per_model`` artists (training artists excluded). A blend's top
10 almost always lies in that pool, and the chosen blend is then evaluated on the full
catalogue by the normal protocol.

Weights are found by coordinate ascent over a small grid, starting from the best single
component alone, for the best NDCG. A second ascent from there, over the weights and the
blend's popularity penalty, then meets the quality targets (catalogue coverage, share of the
most played artists) on validation with as little NDCG lost as it can: a change is kept when
it brings the blend closer to the targets, or keeps it as close and raises NDCG.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from recommender.algorithms.base import Recommender, block_rows
from recommender.algorithms.blend import log_popularity, normalise_scores
from recommender.algorithms.snapshot import IntArray
from recommender.evaluation.metrics import hit_matrix
from recommender.evaluation.protocol import EvalSplit, K, most_played

POOL_CHUNK = 256
"""Most users scored at once while building the pool (fewer on a large catalogue: every
component's normalised float32 block is alive at once, see :func:`block_rows`)."""

WEIGHT_GRID = (0.0, 0.1, 0.25, 0.5, 1.0, 2.0)
"""Weights tried for each component, relative to the anchor component's 1.0."""

PENALTY_GRID = (0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0)
"""Popularity penalties tried (see :class:`recommender.algorithms.blend.Blend`)."""


@dataclass(frozen=True)
class QualityTargets:
    """What the chosen blend must reach on validation besides NDCG: at least ``coverage``
    of the catalogue in the evaluated users' lists, at most ``popular_share`` of the listed
    artists among the most played (:func:`~recommender.evaluation.protocol.most_played`)."""

    coverage: float = 0.0
    popular_share: float = 1.0

    def shortfall(self, quality: PoolQuality) -> float:
        """How far ``quality`` is from the targets, relative to each (0: both met)."""
        missing = 0.0
        if self.coverage > 0 and quality.coverage < self.coverage:
            missing += (self.coverage - quality.coverage) / self.coverage
        if quality.popular_share > self.popular_share:
            missing += (quality.popular_share - self.popular_share) / max(self.popular_share, 1e-9)
        return missing


QUALITY_TARGETS = QualityTargets(coverage=0.11, popular_share=0.43)
"""What the published blend must reach on validation: the product's targets on test
(coverage@10 at least 10%, at most 45% of the lists among the 100 most played artists) with a
margin for the difference between the validation and the test split."""


@dataclass(frozen=True)
class PoolQuality:
    """A blend's NDCG, catalogue coverage and popular share at k on the pool."""

    ndcg: float
    coverage: float
    popular_share: float


@dataclass(frozen=True)
class CandidatePool:
    """Normalised component scores on each evaluated user's candidate artists.

    ``scores[c, u, j]`` is component ``c``'s normalised score of candidate ``j`` of user
    ``u``; ``items`` is that candidate's item index; ``valid`` is false for padding and
    repeated candidates; ``relevant`` marks held-out candidates; ``popular`` those among the
    most played artists of the training part; ``penalty`` is each candidate's
    :func:`~recommender.algorithms.blend.log_popularity`; ``n_relevant`` counts each user's
    held-out artists (in the pool or not); ``n_items`` is the catalogue's size.
    """

    names: tuple[str, ...]
    scores: npt.NDArray[np.float32]
    items: IntArray
    valid: npt.NDArray[np.bool_]
    relevant: npt.NDArray[np.bool_]
    popular: npt.NDArray[np.bool_]
    penalty: npt.NDArray[np.float32]
    n_relevant: IntArray
    n_items: int

    def ndcg(self, weights: Mapping[str, float], k: int = K) -> float:
        """Mean NDCG@k of the blend with ``weights`` restricted to the pool."""
        return self.quality(weights, k=k).ndcg

    def quality(
        self, weights: Mapping[str, float], *, popularity_penalty: float = 0.0, k: int = K
    ) -> PoolQuality:
        """NDCG, coverage and popular share at k of the blend with ``weights`` and
        ``popularity_penalty``, restricted to the pool."""
        blended: npt.NDArray[np.float32] = np.zeros(self.valid.shape, dtype=np.float32)
        for index, name in enumerate(self.names):
            weight = weights.get(name, 0.0)
            if weight:
                blended += weight * self.scores[index]
        if popularity_penalty:
            blended -= np.float32(popularity_penalty) * self.penalty
        blended[~self.valid] = -np.inf
        k = min(k, blended.shape[1])
        top = np.argpartition(-blended, k - 1, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(blended, top, axis=1), axis=1, kind="stable")
        top = np.take_along_axis(top, order, axis=1)
        shown = np.take_along_axis(self.valid, top, axis=1)
        hits = np.take_along_axis(self.relevant, top, axis=1) & shown
        discounts = 1.0 / np.log2(np.arange(2, k + 2))
        ideal = np.cumsum(discounts)[np.minimum(self.n_relevant, k) - 1]
        listed = shown.sum()
        popular = np.take_along_axis(self.popular, top, axis=1) & shown
        distinct = np.unique(np.take_along_axis(self.items, top, axis=1)[shown]).size
        return PoolQuality(
            ndcg=float(np.mean((hits * discounts).sum(axis=1) / ideal)),
            coverage=distinct / self.n_items if self.n_items else 0.0,
            popular_share=float(popular.sum() / listed) if listed else 0.0,
        )


_Block = tuple[npt.NDArray[np.float32], IntArray, npt.NDArray[np.bool_], npt.NDArray[np.bool_]]
"""One block of users' pool: scores, candidates, valid, relevant."""


def build_pool(
    models: Mapping[str, Recommender], split: EvalSplit, *, per_model: int = 100
) -> CandidatePool:
    """Gather every model's normalised scores on the union of their top ``per_model``."""
    names = tuple(models)
    users = split.users
    relevant_matrix = split.relevant.tocsr()
    is_popular = np.zeros(split.n_items, dtype=bool)
    is_popular[most_played(split.train.plays)] = True
    popularity = log_popularity(split.train.plays)
    blocks: list[_Block] = []
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
        blocks.append((gathered, candidates, valid, relevant))
    width = max(b[2].shape[1] for b in blocks)
    items = np.concatenate([_pad(b[1], width, axis=1) for b in blocks], axis=0)
    return CandidatePool(
        names=names,
        scores=np.concatenate([_pad(b[0], width, axis=2) for b in blocks], axis=1),
        items=items,
        valid=np.concatenate([_pad(b[2], width, axis=1) for b in blocks], axis=0),
        relevant=np.concatenate([_pad(b[3], width, axis=1) for b in blocks], axis=0),
        popular=is_popular[items],
        penalty=popularity[items],
        n_relevant=split.n_held_out[users].astype(np.int64),
        n_items=split.n_items,
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
    """The chosen weights and popularity penalty and what they reach on the validation pool."""

    weights: dict[str, float]
    ndcg: float
    evaluations: int
    popularity_penalty: float = 0.0
    coverage: float = 0.0
    popular_share: float = 0.0


PENALTY = "popularity_penalty"
"""The penalty's coordinate in the search, beside the component weights."""


def choose_weights(
    pool: CandidatePool,
    *,
    anchor: str,
    grid: Sequence[float] = WEIGHT_GRID,
    penalties: Sequence[float] = PENALTY_GRID,
    targets: QualityTargets | None = None,
    rounds: int = 3,
    k: int = K,
) -> BlendChoice:
    """Coordinate ascent: start from ``anchor`` alone (weight 1), then for each other
    component in turn keep the grid weight that improves pool NDCG most; repeat up to
    ``rounds`` times or until a full round changes nothing. With ``targets``, a second
    ascent over the penalty and the weights then keeps a change when it brings the blend
    closer to the targets, or as close and with a better NDCG."""
    evaluations = 0

    def measure(point: dict[str, float]) -> PoolQuality:
        nonlocal evaluations
        evaluations += 1
        weights = {name: w for name, w in point.items() if name != PENALTY}
        return pool.quality(weights, popularity_penalty=point.get(PENALTY, 0.0), k=k)

    def ascend(
        point: dict[str, float], axes: dict[str, Sequence[float]], aim: QualityTargets
    ) -> tuple[dict[str, float], PoolQuality]:
        quality = measure(point)
        best = (-aim.shortfall(quality), quality.ndcg)
        for _ in range(rounds):
            changed = False
            for name, values in axes.items():
                for value in values:
                    if value == point[name]:
                        continue
                    trial = {**point, name: value}
                    measured = measure(trial)
                    key = (-aim.shortfall(measured), measured.ndcg)
                    if key[0] > best[0] + 1e-9 or (
                        key[0] >= best[0] - 1e-9 and key[1] > best[1] + 1e-6
                    ):
                        best, point, quality, changed = key, trial, measured, True
            if not changed:
                break
        return point, quality

    others = {name: grid for name in pool.names if name != anchor}
    start = {name: (1.0 if name == anchor else 0.0) for name in pool.names}
    point, quality = ascend(start, others, QualityTargets())
    if targets is not None:
        point, quality = ascend({**point, PENALTY: 0.0}, {PENALTY: penalties, **others}, targets)
    return BlendChoice(
        weights={name: w for name, w in point.items() if name != PENALTY},
        ndcg=quality.ndcg,
        evaluations=evaluations,
        popularity_penalty=point.get(PENALTY, 0.0),
        coverage=quality.coverage,
        popular_share=quality.popular_share,
    )
