"""``POST /recommendations``: session recommendations from seed artists and tags."""

from __future__ import annotations

from fastapi import APIRouter

from recommender.dependencies import ServingDep, UpstreamDep
from recommender.schemas import ColdStartRequest, Recommendations
from recommender.services import cold_start as service
from soundstream_common.app import SessionDep

router = APIRouter(tags=["recommendations"])


@router.post(
    "/recommendations",
    name="cold-start",
    response_model=Recommendations,
    summary="Session recommendations from seed artists and/or tags, by id or name, weighted",
    description="The seed artists, taken together as one listening session (each weight "
    "standing for that many times the median play count), are scored by the published "
    "models as a user's row is (the blend: ALS, EASE, item-kNN, ...), scaled to [0, 1]; the "
    "seed tags' artists (each tag weighted) are scaled to [0, 1] and added. Seeds are ids, "
    "names (artists) or values (tags), or `{id|name, weight}`; names that match nothing are "
    "listed in `unknown_seeds`, not an error. Seeds, exclusions and deleted artists never "
    "appear; reasons cite the seed artists each answer is closest to, or the seed tags. When "
    "the seeds give fewer than `k` artists the popularity list fills up (`source` is "
    "`popularity` when it gave them all).",
)
def cold_start(
    body: ColdStartRequest, session: SessionDep, serving: ServingDep, upstream: UpstreamDep
) -> Recommendations:
    return service.cold_start(session, serving=serving, upstream=upstream, request=body)
