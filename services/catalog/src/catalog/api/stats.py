"""Tag statistics: top tags, dominant vs niche, the global timeline."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from catalog.api.responses import problems
from catalog.cache import STATS, cached_json
from catalog.dependencies import DateRangeDep
from catalog.schemas.common import Granularity, Timeline
from catalog.schemas.stats import DominancePage, TagKind, TagStat, TopTagsBy
from catalog.services import stats as service
from catalog.services import timelines
from soundstream_common.app import CacheDep, SessionDep
from soundstream_common.pagination import Page, PageParamsDep

router = APIRouter(prefix="/stats", tags=["stats"])


@router.get(
    "/tags/top",
    name="top-tags",
    response_model=Page[TagStat],
    summary="Most used tags",
    description="Used tags ranked by assignments, distinct artists or distinct users (ties: "
    "the other two counts, then id). With `from`/`to`, only the assignments dated within "
    "those days count (assignments with an impossible source date are left out). Cached.",
    responses=problems(422),
)
def top_tags(
    request: Request,
    session: SessionDep,
    cache: CacheDep,
    page: PageParamsDep,
    dates: DateRangeDep,
    by: Annotated[TopTagsBy, Query(description="Ranking measure.")] = TopTagsBy.assignments,
) -> Response:
    return cached_json(
        request, cache, STATS, lambda: service.top_tags(session, by=by, page=page, dates=dates)
    )


@router.get(
    "/tags/dominance",
    name="dominance",
    response_model=DominancePage,
    summary="Dominant tags vs niches",
    description="A tag is **dominant** when it is applied to at least `min_artist_share` of "
    "the tagged artists (default 2%) by at least `min_user_share` of the taggers (default "
    "5%); every other used tag is **niche**. Tagged artists and taggers are the artists and "
    "users with at least one tag assignment. Widest spread first; `kind` filters. With "
    "`from`/`to` (days included), tags, tagged artists and taggers are counted on the "
    "assignments dated within those days (never those with an impossible source date). "
    "Cached.",
    responses=problems(422),
)
def dominance(
    request: Request,
    session: SessionDep,
    cache: CacheDep,
    page: PageParamsDep,
    dates: DateRangeDep,
    kind: Annotated[TagKind | None, Query(description="Only this class.")] = None,
    min_artist_share: Annotated[
        float, Query(ge=0, le=1, description="Dominance threshold on artists (0..1).")
    ] = service.DEFAULT_MIN_ARTIST_SHARE,
    min_user_share: Annotated[
        float, Query(ge=0, le=1, description="Dominance threshold on users (0..1).")
    ] = service.DEFAULT_MIN_USER_SHARE,
) -> Response:
    return cached_json(
        request,
        cache,
        STATS,
        lambda: service.dominance(
            session,
            min_artist_share=min_artist_share,
            min_user_share=min_user_share,
            kind=kind,
            page=page,
            dates=dates,
        ),
    )


@router.get(
    "/timeline",
    name="timeline",
    response_model=Timeline,
    summary="Tag assignments over time, all tags",
    description="Assignments per month or year between `from` and `to` (inclusive days); "
    "only assignments with a valid date count. Cached.",
    responses=problems(422),
)
def timeline(
    request: Request,
    session: SessionDep,
    cache: CacheDep,
    dates: DateRangeDep,
    granularity: Annotated[Granularity, Query(description="Period length.")] = Granularity.month,
) -> Response:
    return cached_json(
        request,
        cache,
        STATS,
        lambda: timelines.global_timeline(session, granularity=granularity, date_range=dates),
    )
