"""``/stats``: the analysts' questions, each answer cached until the data it reads changes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from listening.cache import OVERVIEW, SOCIAL, TOP_ARTISTS, USERS, WEIGHTS
from listening.dependencies import TopPageParamsDep, ValidUserId, cached_json, problem
from listening.schemas import (
    Overview,
    SocialStats,
    TopArtist,
    TopArtistsBy,
    UserStats,
    WeightsStats,
)
from listening.services import statistics as service
from soundstream_common.app import CacheDep, SessionDep
from soundstream_common.pagination import Page

router = APIRouter(prefix="/stats", tags=["stats"])

ALL_TIME = (
    " All-time: listens carry no dates in the data set (each is a user's total plays of an "
    "artist), so the listening statistics take no `from`/`to`; tag statistics do."
)


@router.get(
    "/overview",
    name="overview",
    response_model=Overview,
    summary="Counts of users, listens, artists, friendships and plays",
    description="Cached." + ALL_TIME,
)
def overview(session: SessionDep, cache: CacheDep) -> Response:
    return cached_json(cache, OVERVIEW, "overview", lambda: service.overview(session))


@router.get(
    "/weights",
    name="weights",
    response_model=WeightsStats,
    summary="Distribution of listen weights: superstars against the long tail",
    description=(
        "Quantiles and a log-binned histogram of the weights; Gini, Lorenz curve and top 1% / "
        "10% shares of the artists' total plays (the top share takes at least one artist)."
        + ALL_TIME
    ),
)
def weights(
    session: SessionDep,
    cache: CacheDep,
    bins_per_decade: Annotated[
        int, Query(ge=1, le=20, description="Histogram bins per power of ten.")
    ] = 4,
    lorenz_points: Annotated[
        int, Query(ge=2, le=1001, description="Points of the downsampled Lorenz curve.")
    ] = 101,
) -> Response:
    return cached_json(
        cache,
        WEIGHTS,
        f"weights:{bins_per_decade}:{lorenz_points}",
        lambda: service.weights_stats(
            session, bins_per_decade=bins_per_decade, lorenz_points=lorenz_points
        ),
    )


@router.get(
    "/artists/top",
    name="top-artists",
    response_model=Page[TopArtist],
    summary="Most played or most listened-to artists (10 by default)",
    description="`plays`: by total plays, then listeners; `listeners`: the reverse. Ties by id."
    + ALL_TIME,
)
def top_artists(
    session: SessionDep,
    cache: CacheDep,
    params: TopPageParamsDep,
    by: Annotated[TopArtistsBy, Query(description="Rank by `plays` or `listeners`.")] = "plays",
) -> Response:
    def build() -> Page[TopArtist]:
        items, total = service.top_artists(session, by=by, params=params)
        return params.page(items, total)

    return cached_json(cache, TOP_ARTISTS, f"top:{by}:{params.limit}:{params.offset}", build)


@router.get(
    "/social",
    name="social",
    response_model=SocialStats,
    summary="Friend count against listening diversity (Pearson, Spearman) and degrees",
    description=(
        "Over every user: the number of friends against distinct artists and against the "
        "Shannon entropy (bits) of their plays, with n and two-sided p-values; coefficients "
        "are null when undefined (fewer than 3 users or a constant variable)."
    ),
)
def social(session: SessionDep, cache: CacheDep) -> Response:
    return cached_json(cache, SOCIAL, "social", lambda: service.social_stats(session))


@router.get(
    "/users/{user_id}",
    name="user",
    response_model=UserStats,
    summary="A user's statistics and percentile ranks among all users",
    description="A percentile rank is the percentage of users at or below the user's value.",
    responses={404: problem("No such user.")},
)
def user_stats(user_id: ValidUserId, session: SessionDep, cache: CacheDep) -> Response:
    return cached_json(
        cache,
        USERS,
        f"stats:{user_id}",
        lambda: service.user_stats(session, user_id=user_id),
    )
