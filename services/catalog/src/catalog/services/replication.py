"""Data the catalog replicates from the listening service: known users and popularity.

Every function is idempotent: applying the same event twice leaves the same state.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Executable, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from catalog.models import Artist, ArtistPopularity, UserRef
from catalog.services.dataset import bump_dataset_version

CHUNK = 5000


@dataclass(frozen=True)
class Popularity:
    artist_id: int
    listeners: int
    plays: int


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _insert_user_if_absent(dialect: str, user_id: int) -> Executable:
    if dialect == "postgresql":
        return postgresql.insert(UserRef).values(id=user_id).on_conflict_do_nothing()
    return sqlite.insert(UserRef).values(id=user_id).on_conflict_do_nothing()


def _upsert_popularity(dialect: str) -> Executable:
    if dialect == "postgresql":
        pg = postgresql.insert(ArtistPopularity)
        return pg.on_conflict_do_update(
            index_elements=[ArtistPopularity.artist_id],
            set_={"listeners": pg.excluded.listeners, "plays": pg.excluded.plays},
        )
    lite = sqlite.insert(ArtistPopularity)
    return lite.on_conflict_do_update(
        index_elements=[ArtistPopularity.artist_id],
        set_={"listeners": lite.excluded.listeners, "plays": lite.excluded.plays},
    )


def add_user(session: Session, *, user_id: int) -> None:
    """Know ``user_id`` (a no-op when it is already known)."""
    session.execute(_insert_user_if_absent(_dialect(session), user_id))


def remove_user(session: Session, *, user_id: int) -> int:
    """Forget ``user_id``; its tag assignments go by cascade (a new version of the export).
    Returns users removed (0 or 1)."""
    result: Any = session.execute(delete(UserRef).where(UserRef.id == user_id))
    removed = int(result.rowcount)
    if removed:
        bump_dataset_version(session)
    return removed


def set_popularity(session: Session, *, rows: Iterable[Popularity]) -> int:
    """Store absolute listeners and plays. Artists the catalog does not have (deleted
    meanwhile) are skipped. Returns the rows written."""
    by_artist = {row.artist_id: row for row in rows}
    ids = list(by_artist)
    known: set[int] = set()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        known.update(session.scalars(select(Artist.id).where(Artist.id.in_(chunk))))
    values = [
        {"artist_id": r.artist_id, "listeners": r.listeners, "plays": r.plays}
        for r in by_artist.values()
        if r.artist_id in known
    ]
    if values:
        session.execute(_upsert_popularity(_dialect(session)), values)
    return len(values)
