"""``GET /recommendations/users/{id}``: a user's recommendations.

Every answer drops artists the user hid or disliked and artists and users deleted upstream
(recorded from events), whatever the current model still holds.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from recommender.dependencies import KQuery, UserIdPath, get_state
from recommender.schemas import Recommendations
from recommender.services.recommendations import answer_for_user
from recommender.serving.rules import EXCLUDE_LISTENED_DEFAULT, EXPLAIN_DEFAULT, K_DEFAULT
from soundstream_common.errors import Problem

router = APIRouter(tags=["recommendations"])


@router.get(
    "/recommendations/users/{user_id}",
    name="for-user",
    response_model=Recommendations,
    summary="Artists for a user, with scores and (optionally) reasons",
    description="From the published model: its precomputed list (`source` `model`), or, for "
    "a user whose listens changed since it was trained or who is new to it, their current "
    "listens scored by the published models at request time (`fold-in`: the first request "
    "after a write of a listen reflects it, no retrain needed). A user with no listens in "
    "the model's catalogue gets the fallback chain (what their friends play, then the top "
    "artists of the tags they use, then popularity; each item labelled), and before any "
    "model is published the listening service's most listened artists (`source` says "
    "which). The user's own artists appear only in a `model` answer with "
    "`exclude_listened=false` (flagged `listened`); hidden, disliked and deleted artists "
    "never appear; a user the listening service does not know, or a deleted one, is 404.",
    responses={404: {"model": Problem, "description": "Unknown or deleted user."}},
)
async def for_user(
    request: Request,
    user_id: UserIdPath,
    k: KQuery = K_DEFAULT,
    exclude_listened: bool = EXCLUDE_LISTENED_DEFAULT,
    explain: bool = EXPLAIN_DEFAULT,
) -> Response:
    body = await answer_for_user(
        get_state(request),
        user_id=user_id,
        k=k,
        exclude_listened=exclude_listened,
        explain=explain,
    )
    return Response(content=body, media_type="application/json")
