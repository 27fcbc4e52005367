"""Granular artist search by tag combinations and popularity."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field

from soundstream_common.pagination import Page


class MatchMode(StrEnum):
    all = "all"
    any = "any"


class SearchSort(StrEnum):
    relevance = "relevance"
    listeners = "listeners"
    plays = "plays"


class MatchedTag(BaseModel):
    value: str = Field(description="The requested tag value that matched.", examples=["80s"])
    count: int = Field(description="Assignments of the tag on the artist.", examples=[12])


class ArtistSearchHit(BaseModel):
    id: int = Field(examples=[72])
    name: str = Field(examples=["Depeche Mode"])
    is_placeholder: bool
    listeners: int
    plays: int
    relevance: float = Field(
        description="Sum over matched tags of ln(1 + assignments of the tag on the artist).",
        examples=[9.42],
    )
    matched_tags: list[MatchedTag]


class ArtistSearchPage(Page[ArtistSearchHit]):
    match: MatchMode
    tags: list[str] = Field(description="Requested tag values found in the catalog.")
    unknown_tags: list[str] = Field(
        description="Requested tag values that name no tag. They match nothing: with "
        "`match=all` any unknown tag makes the result empty."
    )
