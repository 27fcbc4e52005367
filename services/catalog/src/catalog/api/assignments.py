"""Tag assignments: list with filters, get, create, delete (addressed by their key)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status

from catalog.api.responses import problems
from catalog.dependencies import DateRangeDep
from catalog.schemas.assignments import TagAssignmentCreate, TagAssignmentRead
from catalog.services import assignments as service
from catalog.services.assignments import AssignmentFilter, AssignmentKey
from soundstream_common.app import CacheDep, SessionDep
from soundstream_common.ids import MAX_ID
from soundstream_common.pagination import Page, PageParamsDep

router = APIRouter(prefix="/tag-assignments", tags=["tag-assignments"])

IdFilter = Annotated[int | None, Query(ge=1, le=MAX_ID)]
KEY_PATH = "/{user_id}/{artist_id}/{tag_id}/{timestamp_ms}"


def assignment_key(
    user_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    artist_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    tag_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    timestamp_ms: Annotated[
        int, Path(ge=-(2**63), le=2**63 - 1, description="As returned in `timestamp_ms`.")
    ],
) -> AssignmentKey:
    """The key of one assignment, from the path."""
    return AssignmentKey(user_id, artist_id, tag_id, timestamp_ms)


KeyDep = Annotated[AssignmentKey, Depends(assignment_key)]


@router.get(
    "",
    name="list",
    response_model=Page[TagAssignmentRead],
    summary="List tag assignments",
    description="Every filter given must match. `from`/`to` keep assignments with a valid "
    "date between the two days (inclusive). Ordered by key.",
    responses=problems(422),
)
def list_assignments(
    session: SessionDep,
    page: PageParamsDep,
    dates: DateRangeDep,
    user_id: IdFilter = None,
    artist_id: IdFilter = None,
    tag_id: IdFilter = None,
) -> Page[TagAssignmentRead]:
    filters = AssignmentFilter(user_id, artist_id, tag_id, dates)
    return service.list_assignments(session, filters=filters, page=page)


@router.get(
    KEY_PATH,
    name="get",
    response_model=TagAssignmentRead,
    summary="One tag assignment",
    responses=problems(404),
)
def get_assignment(session: SessionDep, key: KeyDep) -> TagAssignmentRead:
    return service.get_assignment(session, key=key)


@router.post(
    "",
    name="create",
    response_model=TagAssignmentRead,
    status_code=status.HTTP_201_CREATED,
    summary="Record that a user tagged an artist",
    description="The user must be known (users are replicated from the listening service), "
    "the artist and the tag must exist (404 otherwise). The same user, artist, tag and day "
    "twice is a 409.",
    responses=problems(404, 409, 422),
)
def create_assignment(
    request: Request,
    response: Response,
    body: TagAssignmentCreate,
    session: SessionDep,
    cache: CacheDep,
) -> TagAssignmentRead:
    created = service.create_assignment(session, data=body, cache=cache)
    path = f"{created.user_id}/{created.artist_id}/{created.tag_id}/{created.timestamp_ms}"
    response.headers["Location"] = f"{request.scope.get('root_path', '')}/tag-assignments/{path}"
    return created


@router.delete(
    KEY_PATH,
    name="delete",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a tag assignment",
    responses=problems(404),
)
def delete_assignment(session: SessionDep, cache: CacheDep, key: KeyDep) -> Response:
    service.delete_assignment(session, key=key, cache=cache)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
