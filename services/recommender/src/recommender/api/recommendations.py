"""``/recommendations``, ``/artists/{id}/similar``, ``/users/{id}/similar``: serving."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Path, Query, status
from sqlalchemy import select
from sqlalchemy.orm import Session

from recommender.api.dependencies import ServingDep, SettingsDep
from recommender.config import Settings
from recommender.models import Feedback
from recommender.schemas import (
    ColdStartRequest,
    FeedbackCreate,
    FeedbackRead,
    Neighbour,
    ReasonRead,
    Recommendations,
    RecommendedArtist,
    Similar,
)
from recommender.serving import ModelView
from soundstream_common.app import SessionDep
from soundstream_common.errors import DependencyUnavailableError, NotFoundError

router = APIRouter(tags=["recommendations"])
similar_router = APIRouter(tags=["similar"])

UserId = Annotated[int, Path(ge=1)]
K = Annotated[int, Query(ge=1, le=100, description="Number of artists.")]


class NoModelError(NotFoundError):
    slug, title = "no-model", "No model has been published yet"


class NotInModelError(NotFoundError):
    slug, title = "not-in-model", "Unknown to the current model"


def _reason_text(reason: dict[str, Any]) -> str:
    kind = reason["kind"]
    if kind == "listened":
        return "because you listen to " + ", ".join(f"artist {a}" for a in reason["artists"])
    if kind == "friends":
        return "popular among your friends"
    if kind == "tags":
        return "top in tags you use"
    return "popular with everyone"


def _reasons(raw: list[dict[str, Any]]) -> list[ReasonRead]:
    return [ReasonRead(**reason, text=_reason_text(reason)) for reason in raw]


def _hidden(session: Session, user_id: int) -> set[int]:
    return set(session.scalars(select(Feedback.artist_id).where(Feedback.user_id == user_id)))


def _popular_items(
    popular: list[list[float]], k: int, excluded: set[int], explain: bool
) -> list[RecommendedArtist]:
    top = max((score for _, score in popular), default=0.0) or 1.0

    def reasons(score: float) -> list[ReasonRead] | None:
        if not explain:
            return None
        return [ReasonRead(kind="popular", strength=score / top, text="popular with everyone")]

    return [
        RecommendedArtist(artist_id=int(artist), score=score, reasons=reasons(score))
        for artist, score in popular
        if int(artist) not in excluded
    ][:k]


def _listening_popular(settings: Settings, k: int) -> list[list[float]]:
    """The most listened artists from the listening service (no model published yet)."""
    url = settings.listening_url.rstrip("/") + "/stats/artists/top"
    try:
        response = httpx.get(url, params={"by": "listeners", "limit": min(200, k + 100)}, timeout=5)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        raise DependencyUnavailableError(
            f"no model is published and the listening service is unavailable: {exc}"
        ) from exc
    return [[item["artist_id"], float(item["listeners"])] for item in response.json()["items"]]


@router.get(
    "/recommendations/users/{user_id}",
    name="for-user",
    response_model=Recommendations,
    summary="Artists for a user, with scores and (optionally) reasons",
    description="From the published model; a user the model does not know gets the model's "
    "popularity list, and before any model is published the listening service's most "
    "listened artists (`source` says which). Hidden and disliked artists never appear.",
)
def for_user(
    user_id: UserId,
    session: SessionDep,
    serving: ServingDep,
    settings: SettingsDep,
    k: K = 10,
    exclude_listened: bool = True,
    explain: bool = False,
) -> Recommendations:
    excluded = _hidden(session, user_id)
    view = serving.view(session)
    if view is None:
        items = _popular_items(_listening_popular(settings, k), k, excluded, explain)
        return Recommendations(user_id=user_id, source="popularity-no-model", items=items)
    entries = view.recommendations(user_id)
    if entries is None:
        return Recommendations(
            user_id=user_id,
            source="popularity",
            model_version=view.version,
            generated_at=view.trained_at,
            items=_popular_items(view.popular(), k, excluded, explain),
        )
    chosen: list[RecommendedArtist] = []
    for artist, score, listened, reasons in entries:
        if artist in excluded or (listened and exclude_listened):
            continue
        chosen.append(
            RecommendedArtist(
                artist_id=artist,
                score=score,
                listened=listened,
                reasons=_reasons(reasons) if explain else None,
            )
        )
        if len(chosen) == k:
            break
    if len(chosen) < k:
        seen = excluded | {item.artist_id for item in chosen}
        seen |= {int(e[0]) for e in entries if e[2]}
        chosen += _popular_items(view.popular(), k - len(chosen), seen, explain)
    return Recommendations(
        user_id=user_id,
        source="model",
        model_version=view.version,
        generated_at=view.trained_at,
        items=chosen,
    )


@router.post(
    "/recommendations/users/{user_id}/feedback",
    name="feedback",
    status_code=status.HTTP_201_CREATED,
    response_model=FeedbackRead,
    summary="Hide or dislike an artist for a user (excluded at once and after retrains)",
)
def feedback(user_id: UserId, body: FeedbackCreate, session: SessionDep) -> FeedbackRead:
    row = session.get(Feedback, (user_id, body.artist_id))
    now = datetime.now(UTC)
    if row is None:
        row = Feedback(user_id=user_id, artist_id=body.artist_id, kind=body.kind, created_at=now)
        session.add(row)
    else:
        row.kind, row.created_at = body.kind, now
    session.commit()
    return FeedbackRead(user_id=user_id, artist_id=row.artist_id, kind=body.kind, created_at=now)


@router.post(
    "/recommendations",
    name="cold-start",
    response_model=Recommendations,
    summary="Recommendations from seed artists (anonymous / cold start)",
    description="Sums the seed artists' similar-artist scores; seeds and exclusions never "
    "appear; when the seeds are unknown to the model, the popularity list answers.",
)
def cold_start(body: ColdStartRequest, session: SessionDep, serving: ServingDep) -> Recommendations:
    view = serving.view(session)
    if view is None:
        raise NoModelError()
    excluded = set(body.seed_artists) | set(body.exclude)
    totals: dict[int, float] = defaultdict(float)
    for seed in body.seed_artists:
        for artist, score in view.similar("similar_artists", seed) or []:
            if int(artist) not in excluded:
                totals[int(artist)] += score
    ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))[: body.k]
    items = [RecommendedArtist(artist_id=a, score=s) for a, s in ranked]
    source = "seeds"
    if len(items) < body.k:
        seen = excluded | set(totals)
        items += _popular_items(view.popular(), body.k - len(items), seen, explain=False)
        source = "seeds" if ranked else "popularity"
    return Recommendations(
        source=source, model_version=view.version, generated_at=view.trained_at, items=items
    )


def _similar(kind: str, entity_id: int, k: int, session: Session, serving: Any) -> Similar:
    view: ModelView | None = serving.view(session)
    if view is None:
        raise NoModelError()
    neighbours = view.similar(kind, entity_id)
    if neighbours is None:
        raise NotInModelError(f"{kind.split('_')[1][:-1]} {entity_id} is not in the current model")
    return Similar(
        id=entity_id,
        model_version=view.version,
        items=[Neighbour(id=int(i), score=float(s)) for i, s in neighbours[:k]],
    )


@similar_router.get(
    "/artists/{artist_id}/similar",
    name="artists",
    response_model=Similar,
    summary="Artists most similar to an artist (item-kNN cosine)",
)
def similar_artists(
    artist_id: Annotated[int, Path(ge=1)], session: SessionDep, serving: ServingDep, k: K = 10
) -> Similar:
    return _similar("similar_artists", artist_id, k, session, serving)


@similar_router.get(
    "/users/{user_id}/similar",
    name="users",
    response_model=Similar,
    summary="Users with the most similar taste (cosine of ALS user factors)",
)
def similar_users(user_id: UserId, session: SessionDep, serving: ServingDep, k: K = 10) -> Similar:
    return _similar("similar_users", user_id, k, session, serving)
