"""Tag schemas: Base / Create / Update / Read / Detail, a tag's artists, similar tags."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from catalog.schemas.common import RequestModel, Timeline
from soundstream_common.fields import omitted_not_null
from soundstream_common.pagination import Page

TagValue = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]


class TagSort(StrEnum):
    name = "name"
    usage = "usage"


class SimilarityMeasure(StrEnum):
    jaccard = "jaccard"
    cosine = "cosine"


class TagBase(BaseModel):
    value: str = Field(
        description="The tag's text; unique regardless of letter case.", examples=["shoegaze"]
    )


class TagWrite(TagBase, RequestModel):
    value: TagValue = Field(
        description="The tag's text (not blank); unique regardless of letter case.",
        examples=["shoegaze"],
    )


class TagCreate(TagWrite):
    model_config = ConfigDict(json_schema_extra={"examples": [{"value": "shoegaze"}]})


class TagReplace(TagWrite):
    """Full update (a tag has one field, so this equals the partial update with a value)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"value": "dream pop"}]})


class TagUpdate(RequestModel):
    value: TagValue | None = Field(
        None, description="New text (not blank, not null).", json_schema_extra=omitted_not_null
    )

    model_config = ConfigDict(json_schema_extra={"examples": [{"value": "dream pop"}]})

    @model_validator(mode="before")
    @classmethod
    def _value_not_null(cls, data: Any) -> Any:
        if isinstance(data, dict) and "value" in data and data["value"] is None:
            raise ValueError("value cannot be null")
        return data


class TagRead(TagBase):
    id: int = Field(description="Tag id.", examples=[73])
    assignments: int = Field(description="Times the tag was applied (all users, all artists).")

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"id": 73, "value": "rock", "assignments": 7503}]}
    )


class TagDetail(TagRead):
    artists: int = Field(description="Distinct artists carrying the tag.")
    users: int = Field(description="Distinct users who applied the tag.")
    first_used: date | None = Field(None, description="Earliest valid assignment date.")
    last_used: date | None = Field(None, description="Latest valid assignment date.")


class TagArtist(BaseModel):
    """An artist carrying a tag, with how often it was tagged so and its popularity."""

    id: int = Field(description="Artist id.", examples=[289])
    name: str = Field(examples=["Britney Spears"])
    is_placeholder: bool
    count: int = Field(description="Assignments of this tag on the artist.", examples=[81])
    listeners: int
    plays: int


class SimilarTag(BaseModel):
    """A tag co-occurring with the requested one on the same artists."""

    id: int = Field(examples=[79])
    value: str = Field(examples=["alternative rock"])
    shared_artists: int = Field(description="Artists carrying both tags.", examples=[540])
    artists: int = Field(description="Artists carrying this tag.", examples=[875])
    score: float = Field(description="Similarity in [0, 1] (see `measure`).", examples=[0.2187])


class SimilarTagsPage(Page[SimilarTag]):
    tag_id: int
    measure: SimilarityMeasure
    artists: int = Field(description="Artists carrying the requested tag.")


class TagTimeline(Timeline):
    tag_id: int
    value: str
