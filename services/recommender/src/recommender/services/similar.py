"""Nearest neighbours in the published model: similar artists (item-kNN cosine) and users
(cosine of ALS user factors), the deleted ones left out."""

from __future__ import annotations

from typing import Literal

from sqlalchemy.orm import Session

from recommender.deletions import deleted_among
from recommender.exceptions import NoModelError, NotInModelError
from recommender.schemas import ArtistNeighbour, SimilarArtists, SimilarUsers, UserNeighbour
from recommender.serving.views import Serving


def similar_artists(
    session: Session, *, serving: Serving, artist_id: int, k: int
) -> SimilarArtists:
    version, found = _neighbours(session, serving, "artist", artist_id, k)
    items = [ArtistNeighbour(id=i, score=s) for i, s in found]
    return SimilarArtists(id=artist_id, model_version=version, items=items)


def similar_users(session: Session, *, serving: Serving, user_id: int, k: int) -> SimilarUsers:
    version, found = _neighbours(session, serving, "user", user_id, k)
    items = [UserNeighbour(id=i, score=s) for i, s in found]
    return SimilarUsers(id=user_id, model_version=version, items=items)


def _neighbours(
    session: Session, serving: Serving, kind: Literal["artist", "user"], entity_id: int, k: int
) -> tuple[str, list[tuple[int, float]]]:
    """The model version and the ``k`` nearest neighbours still there of an artist or user."""
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
    kept = [(int(i), float(s)) for i, s in neighbours if int(i) not in gone]
    return view.version, kept[:k]
