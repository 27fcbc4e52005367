"""Tag-assignment schemas: who tagged which artist with what, and when."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, field_validator

from catalog.schemas.common import RequestModel
from soundstream_common.fields import IsoDay
from soundstream_common.ids import MAX_ID

FIRST_DAY = dt.date(2002, 1, 1)
"""Last.fm's first year: earlier days cannot be real tag assignments."""


class TagAssignmentCreate(RequestModel):
    """A user applying a tag to an artist on a day (the key includes the day)."""

    user_id: int = Field(ge=1, le=MAX_ID, description="A user known to the catalog.", examples=[2])
    artist_id: int = Field(ge=1, le=MAX_ID, description="An existing artist.", examples=[52])
    tag_id: int = Field(ge=1, le=MAX_ID, description="An existing tag.", examples=[13])
    date: IsoDay | None = Field(
        None, description="Day of the assignment (2002-01-01 .. today, UTC); default today."
    )

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"user_id": 2, "artist_id": 52, "tag_id": 13, "date": "2009-04-01"}]
        }
    )

    @field_validator("date")
    @classmethod
    def _plausible_day(cls, value: dt.date | None) -> dt.date | None:
        today = dt.datetime.now(dt.UTC).date()
        if value is not None and not FIRST_DAY <= value <= today:
            raise ValueError(f"must be between {FIRST_DAY.isoformat()} and today ({today})")
        return value


class TagAssignmentRead(BaseModel):
    user_id: int
    artist_id: int
    tag_id: int
    timestamp_ms: int = Field(
        description="Milliseconds since the epoch; part of the key (0 for unusable dates)."
    )
    date: dt.date | None = Field(None, description="Calendar day, when the source gave one.")
    date_valid: bool = Field(description="False for impossible dates (kept, not in timelines).")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "user_id": 2,
                    "artist_id": 52,
                    "tag_id": 13,
                    "timestamp_ms": 1238544000000,
                    "date": "2009-04-01",
                    "date_valid": True,
                }
            ]
        }
    )
