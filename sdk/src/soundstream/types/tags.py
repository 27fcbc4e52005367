"""Tags, their use over time, and tag assignments (who tagged what, when)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import Field

from soundstream._models import BaseModel


class Tag(BaseModel):
    id: int
    value: str
    assignments: int = 0


class TagDetail(Tag):
    artists: int = 0
    users: int = 0
    first_used: dt.date | None = None
    last_used: dt.date | None = None


class TagArtist(BaseModel):
    """An artist carrying a tag, with how many times it was tagged so."""

    id: int
    name: str
    is_placeholder: bool = False
    count: int
    listeners: int = 0
    plays: int = 0


class SimilarTag(BaseModel):
    id: int
    value: str
    shared_artists: int
    artists: int
    score: float


class TimelinePoint(BaseModel):
    period: str
    count: int


class Timeline(BaseModel):
    """Tag assignments per period (``from_`` is the JSON field ``from``)."""

    granularity: str
    from_: dt.date | None = Field(None, alias="from")
    to: dt.date | None = None
    total: int
    points: list[TimelinePoint]

    def to_pandas(self) -> Any:
        from soundstream._pandas import records_to_frame

        return records_to_frame(self.points)


class TagTimeline(Timeline):
    tag_id: int
    value: str


class TagAssignment(BaseModel):
    """One user's tagging of one artist at one moment."""

    user_id: int
    artist_id: int
    tag_id: int
    timestamp_ms: int
    date: dt.date | None = None
    date_valid: bool = True
