"""Artists of the catalog."""

from __future__ import annotations

from typing import Any

from soundstream._models import BaseModel


class TagCount(BaseModel):
    """A tag with how often it was applied (to one artist)."""

    id: int
    value: str
    count: int


class Artist(BaseModel):
    """An artist; in lists, with its five most applied tags."""

    id: int
    name: str
    url: str | None = None
    picture_url: str | None = None
    is_placeholder: bool = False
    listeners: int = 0
    plays: int = 0
    top_tags: list[TagCount] = []


class ArtistDetail(Artist):
    """An artist with its tagging summary (up to ten top tags)."""

    tag_assignments: int = 0


class ArtistBatch(BaseModel):
    """Artists read by id: those found, in the order asked, and the ids that name none."""

    items: list[Artist]
    missing: list[int] = []

    def to_pandas(self) -> Any:
        from soundstream._pandas import records_to_frame

        return records_to_frame(self.items)


class ArtistTag(BaseModel):
    """A tag applied to an artist: how many times and by how many users."""

    id: int
    value: str
    count: int
    users: int


class Neighbour(BaseModel):
    """A nearest neighbour under the recommendation model: an artist (with its name) or a
    user (with their plays, distinct artists and friends)."""

    id: int
    score: float
    name: str | None = None
    plays: int | None = None
    artists: int | None = None
    friends: int | None = None


class Similar(BaseModel):
    """Nearest neighbours of an artist (artist ids) or a user (user ids)."""

    id: int
    model_version: str
    items: list[Neighbour]

    def to_pandas(self) -> Any:
        from soundstream._pandas import records_to_frame

        return records_to_frame(self.items)


class ArtistSummary(BaseModel):
    """An artist named in an aggregated view."""

    id: int
    name: str | None = None
    url: str | None = None
    picture_url: str | None = None


class SimilarArtist(ArtistSummary):
    score: float


class ArtistPage(BaseModel):
    """Details, top tags, listeners and similar artists in one answer.

    ``similar`` is None when the recommender could not answer; ``unavailable`` names it.
    """

    artist: ArtistDetail
    top_tags: list[TagCount] = []
    listeners: int = 0
    plays: int = 0
    similar: list[SimilarArtist] | None = None
    unavailable: list[str] = []
