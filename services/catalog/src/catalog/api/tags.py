"""Tags: list and search, detail, create, update, delete, and what a tag says."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from catalog.api.responses import problems
from catalog.cache import TAGS, cached_json
from catalog.dependencies import DateRangeDep, TagDep
from catalog.schemas.common import Granularity
from catalog.schemas.tags import (
    SimilarityMeasure,
    SimilarTagsPage,
    TagArtist,
    TagCreate,
    TagDetail,
    TagRead,
    TagReplace,
    TagSort,
    TagTimeline,
    TagUpdate,
)
from catalog.services import tag_insights, timelines
from catalog.services import tags as service
from soundstream_common.app import CacheDep, SessionDep
from soundstream_common.pagination import Page, PageParamsDep

router = APIRouter(prefix="/tags", tags=["tags"])


@router.get(
    "",
    name="list",
    response_model=Page[TagRead],
    summary="List and search tags",
    description="`q` matches anywhere in the value, ignoring letter case. `sort=name` is "
    "alphabetical; `usage` puts the most applied first. Ties are broken by id. Cached.",
)
def list_tags(
    request: Request,
    session: SessionDep,
    cache: CacheDep,
    page: PageParamsDep,
    q: Annotated[
        str | None, Query(min_length=1, max_length=255, description="Value search.")
    ] = None,
    sort: Annotated[TagSort, Query(description="Order of the list.")] = TagSort.name,
) -> Response:
    return cached_json(
        request, cache, TAGS, lambda: service.list_tags(session, q=q, sort=sort, page=page)
    )


@router.get(
    "/{tag_id}",
    name="get",
    response_model=TagDetail,
    summary="A tag with its usage",
    responses=problems(404),
)
def get_tag(session: SessionDep, tag: TagDep) -> TagDetail:
    return service.tag_detail(session, tag=tag)


@router.post(
    "",
    name="create",
    response_model=TagRead,
    status_code=status.HTTP_201_CREATED,
    summary="Create a tag",
    description="Values are unique regardless of letter case: `Rock` conflicts with `rock`.",
    responses=problems(409, 422),
)
def create_tag(
    request: Request, response: Response, body: TagCreate, session: SessionDep, cache: CacheDep
) -> TagRead:
    created = service.create_tag(session, value=body.value, cache=cache)
    response.headers["Location"] = f"{request.scope.get('root_path', '')}/tags/{created.id}"
    return created


@router.patch(
    "/{tag_id}",
    name="update",
    response_model=TagRead,
    summary="Rename a tag",
    responses=problems(404, 409, 422),
)
def update_tag(body: TagUpdate, session: SessionDep, tag: TagDep, cache: CacheDep) -> TagRead:
    value = body.value if body.value is not None else tag.value
    return service.rename_tag(session, tag=tag, value=value, cache=cache)


@router.put(
    "/{tag_id}",
    name="replace",
    response_model=TagRead,
    summary="Replace a tag's fields",
    responses=problems(404, 409, 422),
)
def replace_tag(body: TagReplace, session: SessionDep, tag: TagDep, cache: CacheDep) -> TagRead:
    return service.rename_tag(session, tag=tag, value=body.value, cache=cache)


@router.delete(
    "/{tag_id}",
    name="delete",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a tag",
    description="Refused with 409 while the tag is applied to any artist, unless "
    "`force=true`, which deletes its assignments too.",
    responses=problems(404, 409),
)
def delete_tag(
    session: SessionDep,
    tag: TagDep,
    cache: CacheDep,
    force: Annotated[bool, Query(description="Delete even if applied (with assignments).")] = False,
) -> Response:
    service.delete_tag(session, tag=tag, force=force, cache=cache)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/{tag_id}/artists",
    name="artists",
    response_model=Page[TagArtist],
    summary="Top artists for a tag",
    description="Artists carrying the tag, most often tagged so first (then most listeners, "
    "then id), with their popularity. With `from`/`to` (days included), only the "
    "assignments dated within those days count (never those with an impossible source "
    "date); popularity is all-time, as listens carry no dates. Cached.",
    responses=problems(404, 422),
)
def tag_artists(
    request: Request,
    session: SessionDep,
    cache: CacheDep,
    tag: TagDep,
    page: PageParamsDep,
    dates: DateRangeDep,
) -> Response:
    return cached_json(
        request,
        cache,
        TAGS,
        lambda: tag_insights.tag_artists(session, tag=tag, page=page, dates=dates),
    )


@router.get(
    "/{tag_id}/timeline",
    name="timeline",
    response_model=TagTimeline,
    summary="A tag's assignments over time",
    description="Assignments per month or year between `from` and `to` (inclusive days). "
    "Only assignments with a valid date count. Cached.",
    responses=problems(404, 422),
)
def tag_timeline(
    request: Request,
    session: SessionDep,
    cache: CacheDep,
    tag: TagDep,
    dates: DateRangeDep,
    granularity: Annotated[Granularity, Query(description="Period length.")] = Granularity.month,
) -> Response:
    return cached_json(
        request,
        cache,
        TAGS,
        lambda: timelines.tag_timeline(session, tag=tag, granularity=granularity, date_range=dates),
    )


@router.get(
    "/{tag_id}/similar",
    name="similar",
    response_model=SimilarTagsPage,
    summary="Tags that co-occur with a tag on the same artists",
    description="Each tag is the set of artists carrying it. `jaccard` (default) scores "
    "shared / (|A| + |B| - shared); `cosine` scores shared / sqrt(|A| |B|), kinder to a "
    "small tag inside a large one (shared = artists carrying both tags). Most similar "
    "first (ties: more shared artists, then id); the tag itself is excluded. With "
    "`from`/`to` (days included), each tag is the set of artists it was assigned to within "
    "those days (assignments with an impossible source date never count). Cached.",
    responses=problems(404, 422),
)
def similar_tags(
    request: Request,
    session: SessionDep,
    cache: CacheDep,
    tag: TagDep,
    page: PageParamsDep,
    dates: DateRangeDep,
    measure: Annotated[
        SimilarityMeasure, Query(description="Similarity measure.")
    ] = SimilarityMeasure.jaccard,
) -> Response:
    return cached_json(
        request,
        cache,
        TAGS,
        lambda: tag_insights.similar_tags(
            session, tag=tag, measure=measure, page=page, dates=dates
        ),
    )
