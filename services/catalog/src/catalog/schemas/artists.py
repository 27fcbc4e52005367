"""Artist schemas: Base / Create / Replace / Update / Read / Detail, and an artist's tags."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, JsonValue, StringConstraints, model_validator

from catalog.schemas.common import RequestModel, TagCount
from soundstream_common.batch import BatchPage
from soundstream_common.fields import omitted_not_null

ArtistName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Link = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]

_EXAMPLE: dict[str, JsonValue] = {
    "name": "Röyksopp",
    "url": "http://www.last.fm/music/R%C3%B6yksopp",
    "picture_url": "http://userserve-ak.last.fm/serve/252/58064.jpg",
}


class ArtistSort(StrEnum):
    relevance = "relevance"
    name = "name"
    listeners = "listeners"
    plays = "plays"


class ArtistBase(BaseModel):
    name: str = Field(description="Display name.", examples=["Röyksopp"])
    url: str | None = Field(None, description="Last.fm page of the artist.")
    picture_url: str | None = Field(None, description="Picture of the artist.")


class ArtistWrite(ArtistBase, RequestModel):
    """The fields a client sets, validated: a name that is not blank, bounded links."""

    name: ArtistName = Field(description="Display name (not blank).", examples=["Röyksopp"])
    url: Link | None = Field(None, description="Last.fm page of the artist.")
    picture_url: Link | None = Field(None, description="Picture of the artist.")


class ArtistCreate(ArtistWrite):
    """A new artist; the id is assigned by the catalog."""

    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})


class ArtistReplace(ArtistWrite):
    """Full update: every field is replaced (omitted links become null)."""

    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})


class ArtistUpdate(RequestModel):
    """Partial update: only the fields given change."""

    name: ArtistName | None = Field(
        None, description="New name (not blank, not null).", json_schema_extra=omitted_not_null
    )
    url: Link | None = Field(None, description="New Last.fm page, or null to clear it.")
    picture_url: Link | None = Field(None, description="New picture, or null to clear it.")

    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "Royksopp"}]})

    @model_validator(mode="before")
    @classmethod
    def _name_not_null(cls, data: Any) -> Any:
        if isinstance(data, dict) and "name" in data and data["name"] is None:
            raise ValueError("name cannot be null")
        return data


class ArtistRead(ArtistBase):
    """An artist with its popularity (from the listening service's events)."""

    id: int = Field(description="Artist id.", examples=[89])
    is_placeholder: bool = Field(
        description="True for artists known only from tag assignments (no name in the source)."
    )
    listeners: int = Field(description="Distinct users who listened to the artist.")
    plays: int = Field(description="Total plays of the artist across users.")

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {"id": 89, **_EXAMPLE, "is_placeholder": False, "listeners": 611, "plays": 2393140}
            ]
        },
    )


SUMMARY_TAGS = 5
"""Tags shown with each artist of a list."""


class ArtistListItem(ArtistRead):
    """An artist of a list, with its few most used tags."""

    top_tags: list[TagCount] = Field(
        description=f"Up to {SUMMARY_TAGS} most applied tags, most used first."
    )


class ArtistList(BatchPage[ArtistListItem]):
    """A page of artists; with `ids`, the artists asked for in the order given."""


class ArtistDetail(ArtistRead):
    """An artist with its most used tags."""

    tag_assignments: int = Field(description="Tag assignments on the artist, all tags.")
    top_tags: list[TagCount] = Field(description="Up to 10 most applied tags, most used first.")


class ArtistTag(TagCount):
    """One of an artist's tags with its assignment count and distinct taggers."""

    users: int = Field(description="Distinct users who applied the tag to the artist.")
