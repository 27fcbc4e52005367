"""Artists and users deleted upstream: recorded from events, filtered out of every answer.

The model in Redis (and on disk) keeps whatever it was trained on until the next retrain;
serving asks this table which of the ids it is about to return are gone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from recommender.models import DeletedEntity

Kind = Literal["artist", "user"]
QUERY_CHUNK = 500


def record_deleted(session: Session, *, kind: Kind, entity_id: int) -> bool:
    """Remember that ``entity_id`` was deleted (idempotent); true when newly recorded."""
    if session.get(DeletedEntity, (kind, entity_id)) is not None:
        return False
    session.add(DeletedEntity(kind=kind, entity_id=entity_id, deleted_at=datetime.now(UTC)))
    try:
        session.commit()
    except IntegrityError:  # recorded meanwhile by another consumer
        session.rollback()
        return False
    return True


def forget_deleted(session: Session, *, kind: Kind, entity_id: int) -> bool:
    """The id is in use again (a user created again): no longer filtered out."""
    row = session.get(DeletedEntity, (kind, entity_id))
    if row is None:
        return False
    session.delete(row)
    session.commit()
    return True


@dataclass(frozen=True)
class Deleted:
    """The deleted ones among the ids an answer is about to cite."""

    artists: frozenset[int] = field(default_factory=frozenset)
    users: frozenset[int] = field(default_factory=frozenset)


def deleted_among(
    session: Session, *, artists: Iterable[int] = (), users: Iterable[int] = ()
) -> Deleted:
    """Which of ``artists`` and ``users`` were deleted (one query per 500 ids of a kind)."""
    found: dict[str, set[int]] = {"artist": set(), "user": set()}
    for kind, ids in (("artist", sorted(set(artists))), ("user", sorted(set(users)))):
        for start in range(0, len(ids), QUERY_CHUNK):
            rows = session.scalars(
                select(DeletedEntity.entity_id).where(
                    DeletedEntity.kind == kind,
                    DeletedEntity.entity_id.in_(ids[start : start + QUERY_CHUNK]),
                )
            )
            found[kind].update(int(entity_id) for entity_id in rows)
    return Deleted(frozenset(found["artist"]), frozenset(found["user"]))


def is_deleted(session: Session, *, kind: Kind, entity_id: int) -> bool:
    return session.get(DeletedEntity, (kind, entity_id)) is not None
