"""A user's feedback on artists: recorded, listed, undone; and what it does to answers.

- ``hide``: the artist never appears in the user's answers again.
- ``dislike``: the same, and the disliked artist's nearest neighbours (its
  :data:`DEMOTED_NEIGHBOURS` most similar artists in the published model) are demoted: they
  come after every other recommendation of the answer (in their own order), so they fill a
  list only when nothing else is left.

Feedback names an artist the catalog knows and a user the listening service knows, neither
deleted. Deleting a user removes their feedback; a user created again with the same id
starts with none (:mod:`recommender.events`). Every change is committed first and then the
exclusions stamp is set anew, so every serving process drops its copy.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from recommender.exceptions import FeedbackNotFoundError
from recommender.models import Feedback
from recommender.schemas import FeedbackList, FeedbackRead
from recommender.services.checks import ensure_known_artist, ensure_known_user
from recommender.serving.views import ModelView
from recommender.upstream import Upstream

DEMOTED_NEIGHBOURS = 5
"""How many of a disliked artist's nearest neighbours are demoted."""

T = TypeVar("T")


def give_feedback(
    session: Session, *, upstream: Upstream, user_id: int, artist_id: int, kind: str
) -> FeedbackRead:
    """Store (or replace) the feedback of a known, live user on a known, live artist."""
    ensure_known_artist(session, upstream=upstream, artist_id=artist_id)
    return feedback_read(record(session, user_id=user_id, artist_id=artist_id, kind=kind))


def list_feedback(session: Session, *, upstream: Upstream, user_id: int) -> FeedbackList:
    """The feedback of a user not deleted, newest first (404 for a user nobody knows)."""
    rows = of_user(session, user_id)
    if not rows:
        ensure_known_user(upstream, user_id=user_id)
    return FeedbackList(user_id=user_id, items=[feedback_read(row) for row in rows])


def undo_feedback(session: Session, *, user_id: int, artist_id: int) -> None:
    if not undo(session, user_id=user_id, artist_id=artist_id):
        raise FeedbackNotFoundError(f"User {user_id} has no feedback on artist {artist_id}.")


def feedback_read(row: Feedback) -> FeedbackRead:
    return FeedbackRead(
        user_id=row.user_id,
        artist_id=row.artist_id,
        kind=row.kind,
        created_at=row.created_at,
    )


def record(session: Session, *, user_id: int, artist_id: int, kind: str) -> Feedback:
    """Store (or replace) the user's feedback on the artist."""
    row = session.get(Feedback, (user_id, artist_id))
    now = datetime.now(UTC)
    if row is None:
        row = Feedback(user_id=user_id, artist_id=artist_id, kind=kind, created_at=now)
        session.add(row)
    else:
        row.kind, row.created_at = kind, now
    session.commit()
    return row


def of_user(session: Session, user_id: int) -> list[Feedback]:
    """The user's feedback, newest first."""
    return list(
        session.scalars(
            select(Feedback)
            .where(Feedback.user_id == user_id)
            .order_by(Feedback.created_at.desc(), Feedback.artist_id)
        )
    )


def undo(session: Session, *, user_id: int, artist_id: int) -> bool:
    """Remove the user's feedback on the artist; false when there was none."""
    row = session.get(Feedback, (user_id, artist_id))
    if row is None:
        return False
    session.delete(row)
    session.commit()
    return True


def forget_user(session: Session, user_id: int) -> int:
    """Remove every feedback of the user (deleted, or created again); how many went."""
    result = session.execute(delete(Feedback).where(Feedback.user_id == user_id))
    session.commit()
    return int(getattr(result, "rowcount", 0) or 0)


def disliked(session: Session, user_id: int) -> set[int]:
    return set(
        session.scalars(
            select(Feedback.artist_id).where(
                Feedback.user_id == user_id, Feedback.kind == "dislike"
            )
        )
    )


def demoted_by(view: ModelView | None, dislikes: set[int]) -> set[int]:
    """The nearest neighbours of the disliked artists in the published model."""
    found: set[int] = set()
    if view is None:
        return found
    for artist in dislikes:
        neighbours = view.similar("similar_artists", artist) or []
        found.update(int(a) for a, _ in neighbours[:DEMOTED_NEIGHBOURS])
    return found - dislikes


def demote(items: list[T], demoted: set[int], k: int, artist: Callable[[T], int]) -> list[T]:
    """The first ``k`` of ``items`` with the demoted artists moved after all the others."""
    if not demoted:
        return items[:k]
    kept = [item for item in items if artist(item) not in demoted]
    later = [item for item in items if artist(item) in demoted]
    return (kept + later)[:k]
