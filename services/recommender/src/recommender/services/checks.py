"""The checks answers start with: is the user or artist deleted, known upstream, what is hidden.

The listening service owns users and the catalog owns artists; when either cannot answer, the
id is given the benefit of the doubt. Deletions are recorded from their events
(:mod:`recommender.deletions`).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from recommender.deletions import Kind, is_deleted
from recommender.exceptions import DeletedError, UnknownArtistError, UnknownUserError
from recommender.models import Feedback
from recommender.upstream import Upstream


def ensure_not_deleted(session: Session, *, kind: Kind, entity_id: int) -> None:
    """404 ``deleted`` for a user or artist deleted upstream."""
    if is_deleted(session, kind=kind, entity_id=entity_id):
        raise DeletedError(f"{kind} {entity_id} was deleted")


def ensure_known_user(upstream: Upstream, *, user_id: int) -> None:
    """404 ``user-not-found`` for a user the listening service does not know."""
    if upstream.user_exists(user_id) is False:
        raise UnknownUserError(f"User {user_id} does not exist.")


def ensure_known_artist(session: Session, *, upstream: Upstream, artist_id: int) -> None:
    """404 for an artist deleted upstream or unknown to the catalog."""
    ensure_not_deleted(session, kind="artist", entity_id=artist_id)
    if upstream.artist_exists(artist_id) is False:
        raise UnknownArtistError(f"Artist {artist_id} does not exist.")


def hidden_artists(session: Session, *, user_id: int) -> set[int]:
    """The artists the user hid or disliked: never in their answers."""
    return set(session.scalars(select(Feedback.artist_id).where(Feedback.user_id == user_id)))
