"""A user's recommendations: the hot read when it can answer, else the general path.

The general path (:func:`recommend_for_user`) covers every case: the published model's
precomputed list (``model``), the user's current listens folded into the published models
(``fold-in``: changed or new users), the fallback chain (friends, tags, popularity) for a
user the model has no listens for, and the listening service's most listened artists before
any model is published. The hot read (:mod:`recommender.serving.hot`) answers the ``model``
case from memory and leaves everything else to it; both keep and explain items by the same
rules (:mod:`recommender.serving.rules`).
"""

from __future__ import annotations

from collections.abc import Awaitable

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from recommender.deletions import deleted_among
from recommender.schemas import Recommendations, RecommendedArtist, Source
from recommender.services import feedback
from recommender.services.checks import ensure_known_user, ensure_not_deleted, hidden_artists
from recommender.serving.answers import cited, fallback_items, model_items, popular_items
from recommender.serving.folding import folded_items
from recommender.serving.views import ModelView, Serving
from recommender.state import RecommenderState
from recommender.upstream import Upstream

POPULAR_MARGIN = 50
"""Popular artists read beyond what the exclusions can take, before any model is published."""


async def answer_for_user(
    state: RecommenderState, *, user_id: int, k: int, exclude_listened: bool, explain: bool
) -> bytes:
    """The JSON body for validated parameters: the hot path, else the general path."""

    def general() -> Awaitable[bytes]:
        return run_in_threadpool(for_user_json, state, user_id, k, exclude_listened, explain)

    return await state.hot.answer(user_id, k, exclude_listened, explain, general)


def for_user_json(
    state: RecommenderState, user_id: int, k: int, exclude_listened: bool, explain: bool
) -> bytes:
    """The general path's JSON body, in one thread-pool call."""
    with state.sessions() as session:
        answer = recommend_for_user(
            session,
            serving=state.serving,
            upstream=state.upstream,
            user_id=user_id,
            k=k,
            exclude_listened=exclude_listened,
            explain=explain,
        )
    return answer.model_dump_json().encode()


def recommend_for_user(
    session: Session,
    *,
    serving: Serving,
    upstream: Upstream,
    user_id: int,
    k: int,
    exclude_listened: bool,
    explain: bool,
) -> Recommendations:
    """The general path (see the module's docstring)."""
    ensure_not_deleted(session, kind="user", entity_id=user_id)
    excluded = hidden_artists(session, user_id=user_id)
    view = serving.view(session)
    demoted = feedback.demoted_by(view, feedback.disliked(session, user_id))
    wanted = k + len(demoted)  # demoted artists go last: a few more candidates make up for them
    if view is None:
        return _before_any_model(session, upstream, user_id, k, excluded, explain)
    entries = view.recommendations(user_id)
    modelled = entries is not None and any(entry[2] for entry in entries)
    if not modelled or serving.changed(user_id):
        # changed: the precomputed list is out of date (or was a former user's, for an id
        # created again); it answers only while the listening service cannot say
        if not modelled:
            ensure_known_user(upstream, user_id=user_id)
        listens = upstream.user_listens(user_id)
        if listens:
            folded = folded_items(
                session,
                view,
                user_id=user_id,
                listens=listens,
                k=wanted,
                excluded=excluded,
                explain=explain,
            )
            if folded is not None:
                return _answer(view, user_id, "fold-in", folded, demoted, k)
        if not modelled or listens is not None:
            items, source = fallback_items(
                session,
                upstream,
                view.popular(),
                user_id=user_id,
                k=wanted,
                excluded=excluded | set(listens or {}),
            )
            return _answer(view, user_id, source, items, demoted, k)
    assert entries is not None
    popular = view.popular()
    artists, users = cited(entries)
    deleted = deleted_among(session, artists=artists | {int(a) for a, _ in popular}, users=users)
    chosen = model_items(
        entries,
        k=wanted,
        excluded=excluded,
        exclude_listened=exclude_listened,
        explain=explain,
        deleted=deleted,
    )
    if len(chosen) < wanted:
        seen = excluded | deleted.artists | {item.artist_id for item in chosen}
        seen |= {int(e[0]) for e in entries if e[2]}
        chosen += popular_items(popular, wanted - len(chosen), seen, explain)
    return _answer(view, user_id, "model", chosen, demoted, k)


def _before_any_model(
    session: Session, upstream: Upstream, user_id: int, k: int, excluded: set[int], explain: bool
) -> Recommendations:
    """The listening service's most listened artists the user does not listen to."""
    ensure_known_user(upstream, user_id=user_id)
    listened = set(upstream.user_listens(user_id) or {})
    popular = upstream.top_artists(k + len(excluded) + len(listened) + POPULAR_MARGIN)
    gone = deleted_among(session, artists=[int(a) for a, _ in popular]).artists
    items = popular_items(popular, k, excluded | gone | listened, explain)
    return Recommendations(user_id=user_id, source="popularity-no-model", items=items)


def _answer(
    view: ModelView,
    user_id: int,
    source: Source,
    items: list[RecommendedArtist],
    demoted: set[int],
    k: int,
) -> Recommendations:
    """The answer of the published ``view``: ``items`` with the demoted artists last."""
    return Recommendations(
        user_id=user_id,
        source=source,
        model_version=view.version,
        generated_at=view.trained_at,
        items=feedback.demote(items, demoted, k, lambda item: item.artist_id),
    )
