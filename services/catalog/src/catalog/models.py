"""The catalog's slice of the schema.

Index choices (each serves a query path named in MISSION.md):
- ``tag_assignments`` primary key (user_id, artist_id, tag_id, timestamp_ms): by user, and
  uniqueness of an assignment.
- ``ix_tag_assignments_artist_id_tag_id``: an artist's tags with counts; artist cascades.
- ``ix_tag_assignments_tag_id_artist_id``: a tag's top artists and the multi-tag granular
  search (covering: the search never touches the table rows).
- ``ix_tag_assignments_tag_id_timestamp_ms``: a tag's timeline by date range.
- ``ix_tag_assignments_timestamp_ms``: the global timeline and date-range filters.
- ``ix_artists_search_name``: case- and accent-insensitive artist name search.
- ``ix_artist_popularity_listeners`` / ``_plays``: sort artists by popularity.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from soundstream_common.db import make_metadata
from soundstream_common.events.outbox import outbox_table
from soundstream_common.versions import DatasetVersionRow


class Base(DeclarativeBase):
    metadata = make_metadata()


class Artist(Base):
    __tablename__ = "artists"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    url: Mapped[str | None] = mapped_column(Text)
    picture_url: Mapped[str | None] = mapped_column(Text)
    # Normalised name (case-folded, accents stripped) for name search.
    search_name: Mapped[str] = mapped_column(Text, nullable=False)
    # True for artists that tag assignments name but artists.dat lacks (see docs/data.md).
    is_placeholder: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=false())

    __table_args__ = (Index("ix_artists_search_name", "search_name"),)


class Tag(Base):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    value: Mapped[str] = mapped_column(String(255), nullable=False, unique=True)


class UserRef(Base):
    """Ids of users known to the listening service (replicated; the catalog owns no users)."""

    __tablename__ = "user_refs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)


class TagAssignment(Base):
    """Who tagged which artist with what, and when (the customer's user_taggedartists)."""

    __tablename__ = "tag_assignments"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_refs.id", ondelete="CASCADE"), primary_key=True
    )
    artist_id: Mapped[int] = mapped_column(
        ForeignKey("artists.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True)
    # Milliseconds since the epoch (UTC); 0 when the source date is not a calendar date.
    timestamp_ms: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    day: Mapped[int | None] = mapped_column(SmallInteger)
    month: Mapped[int | None] = mapped_column(SmallInteger)
    year: Mapped[int | None] = mapped_column(SmallInteger)
    # False for impossible dates (kept, but excluded from time-series analytics).
    date_valid: Mapped[bool] = mapped_column(Boolean, nullable=False)

    __table_args__ = (
        Index("ix_tag_assignments_artist_id_tag_id", "artist_id", "tag_id"),
        Index("ix_tag_assignments_tag_id_artist_id", "tag_id", "artist_id"),
        Index("ix_tag_assignments_tag_id_timestamp_ms", "tag_id", "timestamp_ms"),
        Index("ix_tag_assignments_timestamp_ms", "timestamp_ms"),
    )


class ArtistPopularity(Base):
    """Read model fed by the listening service: distinct listeners and total plays."""

    __tablename__ = "artist_popularity"

    artist_id: Mapped[int] = mapped_column(
        ForeignKey("artists.id", ondelete="CASCADE"), primary_key=True
    )
    listeners: Mapped[int] = mapped_column(Integer, nullable=False)
    plays: Mapped[int] = mapped_column(BigInteger, nullable=False)

    __table_args__ = (
        CheckConstraint("listeners >= 0", name="listeners_non_negative"),
        CheckConstraint("plays >= 0", name="plays_non_negative"),
        Index("ix_artist_popularity_listeners", "listeners"),
        Index("ix_artist_popularity_plays", "plays"),
    )


class DatasetVersion(DatasetVersionRow, Base):
    """The single row (id 1) holding the version of what the export streams (artists, tags,
    tag assignments): advanced in the transaction of every write to them, see
    :mod:`catalog.services.dataset`."""


EVENT_OUTBOX = outbox_table(Base.metadata)
"""Events recorded in a write's transaction, relayed to ``soundstream:events:catalog``."""
