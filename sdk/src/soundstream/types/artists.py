"""Artists of the catalog.

The models are generated from the gateway's OpenAPI document (``_generated.py``), except
:class:`ArtistBatch`, which gathers the answers of several requests.
"""

from __future__ import annotations

from pydantic import Field

from soundstream._models import BaseModel
from soundstream.types._generated import (
    Artist,
    ArtistDetail,
    ArtistPage,
    ArtistSummary,
    ArtistTag,
    Neighbour,
    Similar,
    SimilarArtist,
    TagCount,
)
from soundstream.types._helpers import ItemsFrame

__all__ = [
    "Artist",
    "ArtistBatch",
    "ArtistDetail",
    "ArtistPage",
    "ArtistSummary",
    "ArtistTag",
    "Neighbour",
    "Similar",
    "SimilarArtist",
    "TagCount",
]


class ArtistBatch(ItemsFrame, BaseModel):
    """Artists read by id: those found, in the order asked, and the ids that name none (the
    ``items`` and ``missing`` of one or more ``GET /v1/artists?ids=...`` answers)."""

    items: list[Artist]
    missing: list[int] = Field(default_factory=list)
