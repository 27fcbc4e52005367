"""Answers for a user from their current listens, scored by the published models (fold-in).

The published version's ``foldin.pkl`` (:mod:`recommender.algorithms.foldin`) is loaded once
per process and version. An answer costs one read of the user's listens from the listening
service and one scoring pass over the catalogue (an ALS least-squares solve, the EASE and
item-kNN products), a few milliseconds on HetRec's 17.6k artists; users who did not change
keep the precomputed lists.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from sqlalchemy.orm import Session

from recommender.algorithms.foldin import FoldIn
from recommender.deletions import deleted_among
from recommender.models import ModelVersion
from recommender.schemas import ReasonRead, RecommendedArtist
from recommender.serving.answers import popular_items
from recommender.serving.views import ModelView
from recommender.training.compute import read_pickle

MARGIN = 20
"""Artists scored beyond ``k``, so the deleted ones can be dropped without a second pass."""


@lru_cache(maxsize=2)
def load_fold_in(artifact_path: str) -> FoldIn | None:
    """The fold-in models of a version's artefact (``None`` for an artefact without them)."""
    path = Path(artifact_path) / "foldin.pkl"
    if not path.is_file():
        return None
    fold: FoldIn = read_pickle(path)
    return fold


def fold_in_of(session: Session, version: str) -> FoldIn | None:
    row = session.get(ModelVersion, version)
    return None if row is None else load_fold_in(row.artifact_path)


def folded_items(
    session: Session,
    view: ModelView,
    *,
    user_id: int,
    listens: Mapping[int, float],
    k: int,
    excluded: set[int],
    explain: bool,
) -> list[RecommendedArtist] | None:
    """The user's ``k`` best artists from their ``listens``, never one of them, an
    ``excluded`` or a deleted artist (popular artists fill a short list); ``None`` when the
    version cannot fold in or none of the listens is in its catalogue."""
    fold = fold_in_of(session, view.version)
    if fold is None:
        return None
    found = fold.recommend(user_id, listens, k + len(excluded) + MARGIN, excluded)
    if found is None:
        return None
    cited = {artist for _, _, artists in found for artist in artists}
    gone = deleted_among(session, artists={a for a, _, _ in found} | cited).artists
    kept = [entry for entry in found if entry[0] not in gone][:k]
    top = max((abs(score) for _, score, _ in kept), default=0.0) or 1.0
    items = [
        RecommendedArtist(
            artist_id=artist,
            score=score,
            reasons=[_reason(score / top, [a for a in artists if a not in gone])]
            if explain
            else None,
        )
        for artist, score, artists in kept
    ]
    if len(items) < k:
        popular = view.popular()
        seen = excluded | set(listens) | {item.artist_id for item in items}
        seen |= deleted_among(session, artists=[int(a) for a, _ in popular]).artists
        items += popular_items(popular, k - len(items), seen, explain)
    return items


def _reason(strength: float, artists: list[int]) -> ReasonRead:
    return ReasonRead(
        kind="listened",
        strength=max(0.0, min(1.0, strength)),
        artists=artists,
        text="because you listen to similar artists",
    )


def seed_scores(
    session: Session, view: ModelView, seeds: dict[int, float], count: int, excluded: set[int]
) -> tuple[dict[int, float], dict[int, list[int]]] | None:
    """A session's seed artists scored by the published models as listening rows: the seeds
    of one weight together as one row (each standing for the median play count), each such
    row's ``count`` best other artists scaled to [0, 1] and weighted, summed; and the seeds
    each artist is closest to. Equal weights are one row: exactly a new user listening to
    the seeds. ``None`` when the version cannot score them (no fold-in models, or no seed in
    its catalogue)."""
    fold = fold_in_of(session, view.version) if seeds else None
    if fold is None:
        return None
    rows: dict[float, dict[int, float]] = defaultdict(dict)
    for artist, weight in seeds.items():
        rows[weight][artist] = fold.typical_plays
    totals: dict[int, float] = defaultdict(float)
    cited: dict[int, list[int]] = defaultdict(list)
    for weight, listens in sorted(rows.items(), reverse=True):
        found = fold.recommend(None, listens, count, excluded | set(seeds))
        if not found:
            continue
        lowest, highest = found[-1][1], found[0][1]
        spread = highest - lowest
        for artist, score, near in found:
            totals[artist] += weight * ((score - lowest) / spread if spread > 0 else 1.0)
            cited[artist] += [a for a in near if a not in cited[artist]]
    if not totals:
        return None
    return dict(totals), dict(cited)
