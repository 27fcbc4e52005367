"""The listening service's slice of the schema.

Index choices:
- ``listens`` primary key (user_id, artist_id): a user's artists, upserts.
- ``ix_listens_artist_id``: per-artist aggregates (listeners, plays) and artist cascades.
- ``friendships`` primary key (user_id, friend_id): a user's friends.
- ``ix_friendships_friend_id``: the reverse direction, for user cascades.

``dataset_version`` is a single row whose counter is bumped in the same transaction as every
write to users, listens or friendships (and by events that delete listens): the version and
ETag of the recommender's export. ``epoch`` is drawn once when the table is created, so a
rebuilt database never reuses an old ETag. ``event_outbox`` holds committed events until
the relay has published them.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from soundstream_common.db import make_metadata
from soundstream_common.events.outbox import outbox_table
from soundstream_common.versions import DatasetVersionRow


class Base(DeclarativeBase):
    metadata = make_metadata()


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)


class ArtistRef(Base):
    """Ids of artists in the catalog (replicated; the listening service owns no artists)."""

    __tablename__ = "artist_refs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)


class Listen(Base):
    """Plays of one artist by one user (the customer's user_artists.weight)."""

    __tablename__ = "listens"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    artist_id: Mapped[int] = mapped_column(
        ForeignKey("artist_refs.id", ondelete="CASCADE"), primary_key=True
    )
    weight: Mapped[int] = mapped_column(BigInteger, nullable=False)

    __table_args__ = (
        CheckConstraint("weight > 0", name="weight_positive"),
        Index("ix_listens_artist_id", "artist_id"),
    )


class Friendship(Base):
    """One direction of a friendship; both directions are always stored."""

    __tablename__ = "friendships"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    friend_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )

    __table_args__ = (
        CheckConstraint("user_id <> friend_id", name="no_self_friendship"),
        Index("ix_friendships_friend_id", "friend_id"),
    )


class DatasetVersion(DatasetVersionRow, Base):
    """The single row (id 1) holding the data set's version counter."""


EVENT_OUTBOX = outbox_table(Base.metadata)
