"""Scoring a user from their current listens with models fitted without them (fold-in).

A published model answers the users it was trained on from precomputed lists. A user who
listened to something since (or who is new) is scored at request time from their current
row of play counts by the same fitted models, blended with the same weights:

* ALS: the user's factors are solved from the row against the fixed item factors
  (``implicit``'s ``recalculate_user``, one regularised least-squares solve);
* EASE: the row times the item-item weights (:meth:`EASE.score_vectors`);
* item-kNN: the weighted row times the pruned similarity matrix;
* tags: the mean tag profile of the row's artists against every artist's profile;
* popularity: the same for everyone;
* social: the friends' part as trained for a user the model knows (a user's friends do
  not change with their own listens); nothing for a new user (the component abstains);
* the blend's popularity penalty: the same per-item offset as in training.

Rows are weighted with the training matrix's statistics (:class:`WeightingStats`), so a
training user's own row scores as the model scored it, up to the solver's tolerance for ALS.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import scipy.sparse as sp
from implicit.cpu.als import AlternatingLeastSquares

from recommender.algorithms.als import ALS
from recommender.algorithms.base import Recommender
from recommender.algorithms.blend import Blend, normalise_scores
from recommender.algorithms.ease import EASE
from recommender.algorithms.item_knn import ItemKNN
from recommender.algorithms.matrix import FloatMatrix, IdIndex, WeightingStats
from recommender.algorithms.popularity import Popularity
from recommender.algorithms.social import Social, unit_rows
from recommender.algorithms.tags import TagProfile


class RowScorer(Protocol):
    """Scores one user's row of raw play counts (``1 x items``) over every item."""

    def score_row(self, row: sp.csr_matrix, user: int | None, /) -> FloatMatrix: ...


@dataclass
class ALSRows:
    stats: WeightingStats
    solver: AlternatingLeastSquares

    def score_row(self, row: sp.csr_matrix, _user: int | None, /) -> FloatMatrix:
        confidence = sp.csr_matrix(self.stats.apply(row), dtype=np.float32)
        factors = self.solver.recalculate_user(0, confidence)
        scores: FloatMatrix = np.asarray(self.solver.item_factors @ factors, dtype=np.float32)
        return scores


@dataclass
class EASERows:
    stats: WeightingStats
    model: EASE

    def score_row(self, row: sp.csr_matrix, _user: int | None, /) -> FloatMatrix:
        scores: FloatMatrix = self.model.score_vectors(self.stats.apply(row))[0]
        return scores


@dataclass
class ItemKNNRows:
    stats: WeightingStats
    scoring: sp.csr_matrix

    def score_row(self, row: sp.csr_matrix, _user: int | None, /) -> FloatMatrix:
        product = self.stats.apply(row) @ self.scoring
        return np.asarray(product.todense(), dtype=np.float32).ravel()


@dataclass
class TagRows:
    item_profiles: sp.csr_matrix

    def score_row(self, row: sp.csr_matrix, _user: int | None, /) -> FloatMatrix:
        listened = sp.csr_matrix(row, dtype=np.float32, copy=True)
        listened.data[:] = 1.0
        profile = unit_rows(sp.csr_matrix(listened @ self.item_profiles)).toarray().ravel()
        return np.asarray(self.item_profiles @ profile, dtype=np.float32)


@dataclass
class ConstantRows:
    """Popularity: every user the same scores."""

    scores: FloatMatrix

    def score_row(self, _row: sp.csr_matrix, _user: int | None, /) -> FloatMatrix:
        return self.scores.copy()


@dataclass
class KnownUserRows:
    """A model whose scores do not follow the user's own row (social): the trained scores
    of a user it knows, nothing (zeros: the component abstains) for a new one."""

    model: Recommender

    def score_row(self, row: sp.csr_matrix, user: int | None, /) -> FloatMatrix:
        if user is None:
            return np.zeros(row.shape[1], dtype=np.float32)
        scores: FloatMatrix = self.model.score(np.array([user], dtype=np.int64))[0]
        return scores


@dataclass
class BlendRows:
    components: list[tuple[RowScorer, float]]
    offset: FloatMatrix | None = None
    """The blend's popularity penalty per item (:attr:`Blend.offset`), when it has one."""

    def score_row(self, row: sp.csr_matrix, user: int | None, /) -> FloatMatrix:
        total = np.zeros(row.shape[1], dtype=np.float32)
        for scorer, weight in self.components:
            part = normalise_scores(scorer.score_row(row, user)[None, :], in_place=True)[0]
            total += np.float32(weight) * part
        if self.offset is not None:
            total -= self.offset
        return total


def row_scorer(model: Recommender) -> RowScorer:
    """The fold-in scorer of a fitted model (see the module docstring)."""
    if isinstance(model, Blend):
        return BlendRows(
            [(row_scorer(m), w) for m, w in model.components if w != 0.0],
            model.offset if model.popularity_penalty else None,
        )
    if isinstance(model, ALS):
        fitted = model.solver
        solver = AlternatingLeastSquares(
            factors=fitted.factors,
            regularization=fitted.regularization,
            alpha=fitted.alpha,
            num_threads=1,
        )
        solver.item_factors = model.item_factors
        solver.user_factors = np.zeros((0, fitted.factors), dtype=np.float32)
        return ALSRows(WeightingStats.of(model.train, model.weighting), solver)
    if isinstance(model, EASE):
        return EASERows(WeightingStats.of(model.train, model.weighting), model)
    if isinstance(model, ItemKNN):
        return ItemKNNRows(WeightingStats.of(model.train, model.weighting), model.scoring)
    if isinstance(model, TagProfile):
        return TagRows(model.item_profiles)
    if isinstance(model, Popularity):
        return ConstantRows(model.score(np.zeros(1, dtype=np.int64))[0])
    if isinstance(model, Social):
        return KnownUserRows(model)
    raise TypeError(f"{model.name} cannot score a row")


@dataclass
class FoldIn:
    """What a published version needs to score users from their current listens.

    ``users`` and ``items`` are the training indexes; ``neighbours`` (items x items, each
    target item's column holding its nearest listened items) names the artists a reason
    cites."""

    users: IdIndex
    items: IdIndex
    scorer: RowScorer
    neighbours: sp.csc_matrix | None
    typical_plays: float = 1.0
    """The median play count of the training data (what a seed of weight 1 stands for)."""

    def row(self, listens: Mapping[int, float]) -> sp.csr_matrix:
        """The ``1 x items`` row of play counts (artists outside the catalogue dropped)."""
        ids = np.fromiter(listens, dtype=np.int64, count=len(listens))
        weights = np.fromiter(listens.values(), dtype=np.float32, count=len(listens))
        columns = self.items.index_of(ids)
        keep = columns >= 0
        return sp.csr_matrix(
            (weights[keep], (np.zeros(int(keep.sum()), dtype=np.int64), columns[keep])),
            shape=(1, len(self.items)),
            dtype=np.float32,
        )

    def recommend(
        self, user_id: int | None, listens: Mapping[int, float], k: int, excluded: set[int]
    ) -> list[tuple[int, float, list[int]]] | None:
        """The ``k`` best artists for a user with ``listens`` (artist -> plays; no user id:
        an anonymous session): ``(artist, score, cited listened artists)``, never a listened
        or ``excluded`` one; ``None`` when none of the listens is in the model's catalogue."""
        row = self.row(listens)
        if row.nnz == 0:
            return None
        position = -1 if user_id is None else int(self.users.index_of([user_id])[0])
        scores = self.scorer.score_row(row, position if position >= 0 else None)
        banned = self.items.index_of(np.fromiter(set(listens) | excluded, dtype=np.int64))
        scores[banned[banned >= 0]] = -np.inf
        count = min(k, len(scores))
        best = np.argpartition(-scores, count - 1)[:count]
        best = best[np.argsort(-scores[best], kind="stable")]
        best = best[np.isfinite(scores[best])]
        return [(int(self.items.ids[i]), float(scores[i]), self._cited(row, int(i))) for i in best]

    def _cited(self, row: sp.csr_matrix, item: int, most: int = 3) -> list[int]:
        """The listened artists closest to ``item`` (at most ``most``, closest first)."""
        if self.neighbours is None:
            return []
        start, end = self.neighbours.indptr[item], self.neighbours.indptr[item + 1]
        near = dict(
            zip(
                self.neighbours.indices[start:end].tolist(),
                self.neighbours.data[start:end].tolist(),
                strict=True,
            )
        )
        own = [(near[i], i) for i in row.indices.tolist() if i in near]
        own.sort(key=lambda pair: (-pair[0], pair[1]))
        return [int(self.items.ids[i]) for _, i in own[:most]]


def fold_in(
    final: dict[str, Recommender], published: Recommender, users: IdIndex, items: IdIndex
) -> FoldIn:
    """The :class:`FoldIn` of a published blend (``final``: every refitted candidate)."""
    knn = final.get("item_knn")
    neighbours = knn.scoring.tocsc() if isinstance(knn, ItemKNN) else None
    plays = published.train.data
    typical = float(np.median(plays)) if len(plays) else 1.0
    return FoldIn(users, items, row_scorer(published), neighbours, typical)
