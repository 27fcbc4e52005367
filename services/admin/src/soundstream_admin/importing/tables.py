"""The tables the import writes, per service database, parents before children.

Column types are the PostgreSQL ones of the services' migrations (``int2``, ``int4``,
``int8``, ``bool``, ``text``): binary COPY must match them exactly.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Table:
    """A target table: the columns the import writes, their types, and the primary key."""

    name: str
    columns: tuple[tuple[str, str], ...]  # (name, type)
    key: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.columns)

    @property
    def types(self) -> tuple[str, ...]:
        return tuple(kind for _, kind in self.columns)

    @property
    def updatable(self) -> tuple[str, ...]:
        """Columns an insert-or-update may overwrite (all but the key)."""
        return tuple(name for name in self.names if name not in self.key)


# catalog
USER_REFS = Table("user_refs", (("id", "int4"),), ("id",))
ARTISTS = Table(
    "artists",
    (
        ("id", "int4"),
        ("name", "text"),
        ("url", "text"),
        ("picture_url", "text"),
        ("search_name", "text"),
        ("is_placeholder", "bool"),
    ),
    ("id",),
)
TAGS = Table("tags", (("id", "int4"), ("value", "text")), ("id",))
TAG_ASSIGNMENTS = Table(
    "tag_assignments",
    (
        ("user_id", "int4"),
        ("artist_id", "int4"),
        ("tag_id", "int4"),
        ("timestamp_ms", "int8"),
        ("day", "int2"),
        ("month", "int2"),
        ("year", "int2"),
        ("date_valid", "bool"),
    ),
    ("user_id", "artist_id", "tag_id", "timestamp_ms"),
)
ARTIST_POPULARITY = Table(
    "artist_popularity",
    (("artist_id", "int4"), ("listeners", "int4"), ("plays", "int8")),
    ("artist_id",),
)

# listening
USERS = Table("users", (("id", "int4"),), ("id",))
ARTIST_REFS = Table("artist_refs", (("id", "int4"),), ("id",))
LISTENS = Table(
    "listens",
    (("user_id", "int4"), ("artist_id", "int4"), ("weight", "int8")),
    ("user_id", "artist_id"),
)
FRIENDSHIPS = Table(
    "friendships", (("user_id", "int4"), ("friend_id", "int4")), ("user_id", "friend_id")
)

CATALOG_TABLES = (USER_REFS, ARTISTS, TAGS, TAG_ASSIGNMENTS, ARTIST_POPULARITY)
CATALOG_VERSION = Table(
    "dataset_version", (("id", "int4"), ("epoch", "text"), ("version", "int8")), ("id",)
)
"""The catalog's export version: advanced by an import, journalled with the tables."""
LISTENING_TABLES = (USERS, ARTIST_REFS, LISTENS, FRIENDSHIPS)
