"""``/recommendations``, ``/artists/{id}/similar``, ``/users/{id}/similar``: serving.

Every answer drops artists the user hid or disliked and artists and users deleted upstream
(recorded from events), whatever the current model still holds.
"""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response, status
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from recommender.answers import (
    cited,
    fallback_items,
    model_items,
    popular_items,
    seed_items,
)
from recommender.api.dependencies import ServingDep, UpstreamDep
from recommender.deletions import deleted_among, is_deleted
from recommender.hot import HotPath, bump_exclusions
from recommender.models import Feedback
from recommender.schemas import (
    ColdStartRequest,
    FeedbackCreate,
    FeedbackRead,
    Neighbour,
    Recommendations,
    Similar,
    Source,
)
from recommender.serving import Serving
from recommender.upstream import Upstream
from soundstream_common.app import SessionDep
from soundstream_common.errors import NotFoundError
from soundstream_common.redis import RedisHandle

router = APIRouter(tags=["recommendations"])
similar_router = APIRouter(tags=["similar"])

UserId = Annotated[int, Path(ge=1)]
K = Annotated[int, Query(ge=1, le=100, description="Number of artists.")]


class NoModelError(NotFoundError):
    slug, title = "no-model", "No model has been published yet"


class NotInModelError(NotFoundError):
    slug, title = "not-in-model", "Unknown to the current model"


class DeletedError(NotFoundError):
    slug, title = "deleted", "Deleted"


def _hidden(session: Session, user_id: int) -> set[int]:
    return set(session.scalars(select(Feedback.artist_id).where(Feedback.user_id == user_id)))


def _not_deleted(session: Session, kind: Literal["artist", "user"], entity_id: int) -> None:
    if is_deleted(session, kind=kind, entity_id=entity_id):
        raise DeletedError(f"{kind} {entity_id} was deleted")


@router.get(
    "/recommendations/users/{user_id}",
    name="for-user",
    response_model=Recommendations,
    summary="Artists for a user, with scores and (optionally) reasons",
    description="From the published model. A user the model has no listens for gets the "
    "fallback chain (what their friends play, then the top artists of the tags they use, "
    "then popularity; each item labelled), and before any model is published the listening "
    "service's most listened artists (`source` says which). Hidden, disliked and deleted "
    "artists never appear; a deleted user is 404.",
)
async def for_user(
    request: Request,
    user_id: UserId,
    k: K = 10,
    exclude_listened: bool = True,
    explain: bool = False,
) -> Response:
    body = await answer_for_user(request.app.state, user_id, k, exclude_listened, explain)
    return Response(content=body, media_type="application/json")


async def answer_for_user(
    state: Any, user_id: int, k: int, exclude_listened: bool, explain: bool
) -> bytes:
    """The JSON body for validated parameters: the hot path, else the general path.

    Also called by :class:`recommender.api.hot_route.PlainForUserRoute`, which answers the
    requests whose parameters need no validation without this route's FastAPI work."""
    hot: HotPath = state.hot

    def general() -> Awaitable[bytes]:
        return run_in_threadpool(_for_user_json, state, user_id, k, exclude_listened, explain)

    return await hot.answer(user_id, k, exclude_listened, explain, general)


def _for_user_json(
    state: Any, user_id: int, k: int, exclude_listened: bool, explain: bool
) -> bytes:
    """The general path (every case the hot path leaves), in one thread-pool call."""
    with state.sessions() as session:
        answer = recommend_for_user(
            session,
            state.serving,
            state.upstream,
            user_id=user_id,
            k=k,
            exclude_listened=exclude_listened,
            explain=explain,
        )
    return answer.model_dump_json().encode()


def recommend_for_user(
    session: Session,
    serving: Serving,
    upstream: Upstream,
    *,
    user_id: int,
    k: int,
    exclude_listened: bool,
    explain: bool,
) -> Recommendations:
    _not_deleted(session, "user", user_id)
    excluded = _hidden(session, user_id)
    view = serving.view(session)
    if view is None:
        popular = upstream.top_artists(k + len(excluded) + 50)
        gone = deleted_among(session, artists=[int(a) for a, _ in popular]).artists
        items = popular_items(popular, k, excluded | gone, explain)
        return Recommendations(user_id=user_id, source="popularity-no-model", items=items)
    entries = view.recommendations(user_id)
    if entries is None or not any(entry[2] for entry in entries):
        items, source = fallback_items(
            session, upstream, view.popular(), user_id=user_id, k=k, excluded=excluded
        )
        return Recommendations(
            user_id=user_id,
            source=source,
            model_version=view.version,
            generated_at=view.trained_at,
            items=items,
        )
    popular = view.popular()
    artists, users = cited(entries)
    deleted = deleted_among(session, artists=artists | {int(a) for a, _ in popular}, users=users)
    chosen = model_items(
        entries,
        k=k,
        excluded=excluded,
        exclude_listened=exclude_listened,
        explain=explain,
        deleted=deleted,
    )
    if len(chosen) < k:
        seen = excluded | deleted.artists | {item.artist_id for item in chosen}
        seen |= {int(e[0]) for e in entries if e[2]}
        chosen += popular_items(popular, k - len(chosen), seen, explain)
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
def feedback(
    request: Request, user_id: UserId, body: FeedbackCreate, session: SessionDep
) -> FeedbackRead:
    row = session.get(Feedback, (user_id, body.artist_id))
    now = datetime.now(UTC)
    if row is None:
        row = Feedback(user_id=user_id, artist_id=body.artist_id, kind=body.kind, created_at=now)
        session.add(row)
    else:
        row.kind, row.created_at = body.kind, now
    session.commit()
    request.app.state.hot.invalidate_exclusions()  # this process: at once, whatever Redis does
    handle: RedisHandle | None = request.app.state.redis
    if handle is not None:
        handle.call(lambda client: bump_exclusions(client, request.app.state.settings.key_prefix))
    return FeedbackRead(user_id=user_id, artist_id=row.artist_id, kind=body.kind, created_at=now)


@router.post(
    "/recommendations",
    name="cold-start",
    response_model=Recommendations,
    summary="Recommendations from seed artists and/or seed tags (anonymous / cold start)",
    description="Seed artists' neighbours in the model (similar-artist scores summed) plus the "
    "seed tags' most tagged artists (from the catalog), each part scaled to [0, 1] and added. "
    "Seeds, exclusions and deleted artists never appear; when the seeds give fewer than `k` "
    "artists the popularity list fills up (`source` is `popularity` when it gave them all).",
)
def cold_start(
    body: ColdStartRequest, session: SessionDep, serving: ServingDep, upstream: UpstreamDep
) -> Recommendations:
    view = serving.view(session)
    items = seed_items(
        session,
        upstream,
        view,
        seed_artists=body.seed_artists,
        seed_tags=body.seed_tags,
        k=body.k,
        exclude=set(body.exclude),
    )
    source: Source = "seeds" if items else "popularity"
    if len(items) < body.k:
        popular = view.popular() if view is not None else upstream.top_artists(body.k + 150)
        seen = set(body.seed_artists) | set(body.exclude) | {item.artist_id for item in items}
        seen |= deleted_among(session, artists=[int(a) for a, _ in popular]).artists
        items += popular_items(popular, body.k - len(items), seen, explain=True)
    if not body.explain:
        items = [item.model_copy(update={"reasons": None}) for item in items]
    return Recommendations(
        source=source,
        model_version=view.version if view is not None else None,
        generated_at=view.trained_at if view is not None else None,
        items=items,
    )


def _similar(
    kind: Literal["artist", "user"], entity_id: int, k: int, session: Session, serving: Serving
) -> Similar:
    _not_deleted(session, kind, entity_id)
    view = serving.view(session)
    if view is None:
        raise NoModelError()
    neighbours = view.similar(f"similar_{kind}s", entity_id)
    if neighbours is None:
        raise NotInModelError(f"{kind} {entity_id} is not in the current model")
    ids = [int(i) for i, _ in neighbours]
    if kind == "artist":
        gone = deleted_among(session, artists=ids).artists
    else:
        gone = deleted_among(session, users=ids).users
    kept = [Neighbour(id=int(i), score=float(s)) for i, s in neighbours if int(i) not in gone]
    return Similar(id=entity_id, model_version=view.version, items=kept[:k])


@similar_router.get(
    "/artists/{artist_id}/similar",
    name="artists",
    response_model=Similar,
    summary="Artists most similar to an artist (item-kNN cosine; deleted ones left out)",
)
def similar_artists(
    artist_id: Annotated[int, Path(ge=1)], session: SessionDep, serving: ServingDep, k: K = 10
) -> Similar:
    return _similar("artist", artist_id, k, session, serving)


@similar_router.get(
    "/users/{user_id}/similar",
    name="users",
    response_model=Similar,
    summary="Users with the most similar taste (cosine of ALS user factors; deleted left out)",
)
def similar_users(user_id: UserId, session: SessionDep, serving: ServingDep, k: K = 10) -> Similar:
    return _similar("user", user_id, k, session, serving)
