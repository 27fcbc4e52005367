"""``/recommendations/users/{id}/feedback``: hide or dislike artists, list, undo."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response, status

from recommender.cache import exclusions_changed
from recommender.dependencies import (
    ArtistIdPath,
    KnownUserDep,
    LiveUserDep,
    UpstreamDep,
    UserIdPath,
    get_state,
)
from recommender.schemas import FeedbackCreate, FeedbackList, FeedbackRead
from recommender.services import feedback as service
from soundstream_common.app import SessionDep
from soundstream_common.errors import Problem

router = APIRouter(tags=["recommendations"])

FEEDBACK_404: dict[int | str, dict[str, Any]] = {
    404: {"model": Problem, "description": "Unknown or deleted user or artist."}
}


@router.post(
    "/recommendations/users/{user_id}/feedback",
    name="feedback",
    status_code=status.HTTP_201_CREATED,
    response_model=FeedbackRead,
    summary="Hide or dislike an artist for a user (excluded at once and after retrains)",
    description="`hide`: the artist never appears in the user's recommendations again. "
    "`dislike`: the same, and the disliked artist's five nearest neighbours in the published "
    "model are demoted (they come after every other recommendation). Feedback on the same "
    "artist again replaces it. A user the listening service does not know, an artist the "
    "catalog does not know, or either deleted, is 404.",
    responses=FEEDBACK_404,
)
def feedback(
    request: Request,
    user_id: KnownUserDep,
    body: FeedbackCreate,
    session: SessionDep,
    upstream: UpstreamDep,
) -> FeedbackRead:
    created = service.give_feedback(
        session, upstream=upstream, user_id=user_id, artist_id=body.artist_id, kind=body.kind
    )
    exclusions_changed(get_state(request))
    return created


@router.get(
    "/recommendations/users/{user_id}/feedback",
    name="feedback-list",
    response_model=FeedbackList,
    summary="The user's feedback, newest first",
    responses={404: {"model": Problem, "description": "Unknown or deleted user."}},
)
def feedback_list(user_id: LiveUserDep, session: SessionDep, upstream: UpstreamDep) -> FeedbackList:
    return service.list_feedback(session, upstream=upstream, user_id=user_id)


@router.delete(
    "/recommendations/users/{user_id}/feedback/{artist_id}",
    name="feedback-undo",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Undo the user's feedback on an artist (it may be recommended again at once)",
    responses={404: {"model": Problem, "description": "The user has no feedback on it."}},
)
def feedback_undo(
    request: Request, user_id: UserIdPath, artist_id: ArtistIdPath, session: SessionDep
) -> Response:
    service.undo_feedback(session, user_id=user_id, artist_id=artist_id)
    exclusions_changed(get_state(request))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
