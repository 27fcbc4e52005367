"""Hybrid model: a weighted sum of per-user normalised component scores.

Each component's scores for a user are divided by that user's largest absolute finite score
(so every component speaks on a [-1, 1] scale whatever its units), unscorable items
(``-inf``) take the user's lowest normalised score, and the weighted sum is the blend's
score. An optional popularity penalty then subtracts ``penalty * log_popularity(item)``
(:func:`log_popularity`: 0 for an artist nobody listens to, 1 for the most listened), which
moves the lists towards the long tail: more of the catalogue shown, fewer of the most played
artists. Weights and penalty are chosen on a validation split by
:mod:`recommender.evaluation.blending`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from recommender.algorithms.base import Recommender
from recommender.algorithms.matrix import FloatMatrix, SideInfo
from recommender.algorithms.snapshot import IntArray


def log_popularity(train: sp.csr_matrix) -> FloatMatrix:
    """Per item, ``log1p(listeners) / log1p(most listeners)`` over ``train``'s stored entries:
    in [0, 1], so a penalty weight means the same on any catalogue; zeros when nobody listens."""
    listeners = np.bincount(sp.csr_matrix(train).indices, minlength=train.shape[1])
    scaled = np.log1p(listeners.astype(np.float64))
    top = float(scaled.max()) if scaled.size else 0.0
    return (scaled / top if top > 0 else scaled).astype(np.float32)


def normalise_scores(scores: FloatMatrix, *, in_place: bool = False) -> FloatMatrix:
    """Per row: finite scores over the row's max absolute finite score; non-finite -> row min.

    A row with no finite score or only zeros becomes all zeros (the component abstains).
    ``in_place`` reuses ``scores`` (float32, owned by the caller: what ``score`` returns)
    instead of copying it: a block over a large catalogue is tens of megabytes.
    """
    if in_place and scores.dtype == np.float32:
        out = scores
    else:
        out = np.array(scores, dtype=np.float32, copy=True)
    missing = ~np.isfinite(out)
    any_missing = bool(missing.any())
    if any_missing:
        # The lowest finite score before scaling: scaling by a positive number keeps the
        # order, so the scaled minimum is this times the scale.
        np.copyto(out, np.float32(np.inf), where=missing)
        lowest = out.min(axis=1)
        np.copyto(out, np.float32(0.0), where=missing)
    magnitude = np.maximum(out.max(axis=1), -out.min(axis=1))
    scale = np.divide(1.0, magnitude, out=np.zeros_like(magnitude), where=magnitude > 0)
    out *= scale[:, None]
    if any_missing:
        known = np.isfinite(lowest)
        floor = np.zeros_like(lowest)
        np.multiply(lowest, scale, out=floor, where=known)
        np.copyto(out, floor[:, None], where=missing)
    return out


class Blend(Recommender):
    """``score = sum_c weight_c * normalise(score_c) - popularity_penalty * log_popularity``
    over fitted or unfitted components."""

    name = "blend"

    def __init__(
        self, components: Sequence[tuple[Recommender, float]], *, popularity_penalty: float = 0.0
    ) -> None:
        super().__init__()
        if not components:
            raise ValueError("a blend needs at least one component")
        if popularity_penalty < 0:
            raise ValueError("the popularity penalty cannot be negative")
        self.components = [(model, float(weight)) for model, weight in components]
        self.popularity_penalty = float(popularity_penalty)
        self._offset: FloatMatrix | None = None

    @property
    def weights(self) -> dict[str, float]:
        """Component name -> weight."""
        return {model.name: weight for model, weight in self.components}

    def params(self) -> dict[str, Any]:
        return {
            "weights": self.weights,
            "popularity_penalty": self.popularity_penalty,
            "components": {model.name: model.params() for model, _ in self.components},
        }

    def clone(self) -> Blend:
        return Blend(
            [(model.clone(), weight) for model, weight in self.components],
            popularity_penalty=self.popularity_penalty,
        )

    def _fit(self, train: sp.csr_matrix, side: SideInfo | None, /) -> None:
        self._offset = None
        for model, weight in self.components:
            if weight != 0.0:
                model.fit(train, side)

    @classmethod
    def of_fitted(
        cls, components: Sequence[tuple[Recommender, float]], *, popularity_penalty: float = 0.0
    ) -> Blend:
        """A blend over components that are already fitted on the same training matrix."""
        blend = cls(components, popularity_penalty=popularity_penalty)
        active = [model for model, weight in blend.components if weight != 0.0]
        blend._train = active[0].train if active else blend.components[0][0].train
        return blend

    @property
    def offset(self) -> FloatMatrix:
        """What the penalty subtracts from every user's score of each item (zeros without one)."""
        if self._offset is None:
            self._offset = np.float32(self.popularity_penalty) * log_popularity(self.train)
        return self._offset

    def score(self, users: IntArray) -> FloatMatrix:
        total = np.zeros((len(users), self.n_items), dtype=np.float32)
        for model, weight in self.components:
            if weight != 0.0:
                part = normalise_scores(model.score(users), in_place=True)
                part *= np.float32(weight)
                total += part
        if self.popularity_penalty:
            total -= self.offset[None, :]
        return total
