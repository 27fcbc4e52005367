"""Session (cold-start) recommendations from seed artists and/or tags, by id or name, weighted.

The seed artists are scored by the published models as one listening row per weight
(:func:`recommender.serving.folding.seed_scores`), or, for a version without fold-in models,
by their similar artists; the seed tags' artists are added
(:func:`recommender.serving.answers.seed_items`); popularity fills a short answer.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from recommender.deletions import deleted_among
from recommender.schemas import ColdStartRequest, Recommendations, Source
from recommender.serving.answers import popular_items, seed_items, similar_sum
from recommender.serving.folding import seed_scores
from recommender.serving.seeds import resolve
from recommender.serving.views import Serving
from recommender.upstream import Upstream

SEED_CANDIDATES = 200
"""Artists the published models score from the seed artists, before the tags are added."""
POPULAR_MARGIN = 150
"""Popular artists read beyond ``k`` before any model is published."""


def cold_start(
    session: Session, *, serving: Serving, upstream: Upstream, request: ColdStartRequest
) -> Recommendations:
    seeds = resolve(upstream, request.seed_artists, request.seed_tags)
    view = serving.view(session)
    exclude = set(request.exclude)
    count = request.k + len(exclude) + SEED_CANDIDATES
    scored = None if view is None else seed_scores(session, view, seeds.artists, count, exclude)
    by_artists, cited = scored if scored is not None else (similar_sum(view, seeds.artists), {})
    items = seed_items(
        session,
        upstream,
        seed_artists=seeds.artists,
        seed_tags=seeds.tags,
        by_artists=by_artists,
        cited=cited,
        k=request.k,
        exclude=exclude,
    )
    source: Source = "seeds" if items else "popularity"
    if len(items) < request.k:
        popular = (
            view.popular() if view is not None else upstream.top_artists(request.k + POPULAR_MARGIN)
        )
        seen = set(seeds.artists) | exclude | {item.artist_id for item in items}
        seen |= deleted_among(session, artists=[int(a) for a, _ in popular]).artists
        items += popular_items(popular, request.k - len(items), seen, explain=True)
    if not request.explain:
        items = [item.model_copy(update={"reasons": None}) for item in items]
    unknown = seeds.unknown if seeds.unknown.artists or seeds.unknown.tags else None
    return Recommendations(
        source=source,
        model_version=view.version if view is not None else None,
        generated_at=view.trained_at if view is not None else None,
        items=items,
        unknown_seeds=unknown,
    )
