"""``/artists/{id}/similar`` and ``/users/{id}/similar``: nearest neighbours in the model."""

from __future__ import annotations

from fastapi import APIRouter

from recommender.dependencies import KQuery, LiveArtistDep, LiveUserDep, ServingDep
from recommender.schemas import SimilarArtists, SimilarUsers
from recommender.services import similar as service
from recommender.serving.rules import K_DEFAULT
from soundstream_common.app import SessionDep

router = APIRouter(tags=["similar"])


@router.get(
    "/artists/{artist_id}/similar",
    name="artists",
    response_model=SimilarArtists,
    summary="Artists most similar to an artist (item-kNN cosine; deleted ones left out)",
)
def similar_artists(
    artist_id: LiveArtistDep, session: SessionDep, serving: ServingDep, k: KQuery = K_DEFAULT
) -> SimilarArtists:
    return service.similar_artists(session, serving=serving, artist_id=artist_id, k=k)


@router.get(
    "/users/{user_id}/similar",
    name="users",
    response_model=SimilarUsers,
    summary="Users with the most similar taste (cosine of ALS user factors; deleted left out)",
)
def similar_users(
    user_id: LiveUserDep, session: SessionDep, serving: ServingDep, k: KQuery = K_DEFAULT
) -> SimilarUsers:
    return service.similar_users(session, serving=serving, user_id=user_id, k=k)
