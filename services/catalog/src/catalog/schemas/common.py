"""Building blocks shared by several schema families."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class RequestModel(BaseModel):
    """Base of request bodies: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class TagCount(BaseModel):
    """A tag and how many times it was applied in some context."""

    id: int = Field(description="Tag id.", examples=[73])
    value: str = Field(description="The tag's text.", examples=["rock"])
    count: int = Field(description="Number of tag assignments.", examples=[42])


class Granularity(StrEnum):
    month = "month"
    year = "year"


class TimelinePoint(BaseModel):
    """Assignments in one calendar period."""

    period: str = Field(description="`YYYY` or `YYYY-MM`.", examples=["2009-04"])
    count: int = Field(description="Tag assignments dated in the period.", examples=[1289])


class Timeline(BaseModel):
    """Tag assignments per period, counting only rows with a valid date.

    Periods run without gaps from the first to the last period that has assignments
    (periods in between with none have ``count`` 0).
    """

    granularity: Granularity
    from_date: date | None = Field(
        None, alias="from", description="Lower date bound applied (inclusive)."
    )
    to_date: date | None = Field(None, alias="to", description="Upper date bound (inclusive).")
    total: int = Field(description="Assignments counted across all periods.")
    points: list[TimelinePoint]

    model_config = ConfigDict(
        populate_by_name=True,
        json_schema_extra={
            "examples": [
                {
                    "granularity": "year",
                    "from": None,
                    "to": None,
                    "total": 3,
                    "points": [
                        {"period": "2008", "count": 2},
                        {"period": "2009", "count": 0},
                        {"period": "2010", "count": 1},
                    ],
                }
            ]
        },
    )
