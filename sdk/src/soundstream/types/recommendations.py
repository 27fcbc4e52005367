"""Recommendations, their explanations, and feedback on them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from soundstream._models import BaseModel
from soundstream.types.artists import TagCount


class Reason(BaseModel):
    """Why an artist was recommended (``kind``: listened, friends, tags or popular)."""

    kind: str
    strength: float
    text: str
    artists: list[int] = []
    users: list[int] = []
    tags: list[int] = []


class RecommendedArtist(BaseModel):
    """A recommended artist; the gateway adds name, url, picture and top tags."""

    artist_id: int
    score: float
    listened: bool = False
    reasons: list[Reason] | None = None
    name: str | None = None
    url: str | None = None
    picture_url: str | None = None
    top_tags: list[TagCount] | None = None


class UnknownSeeds(BaseModel):
    """Seed names that matched no artist or tag (left out of the answer)."""

    artists: list[str] = []
    tags: list[str] = []


class Recommendations(BaseModel):
    """``source``: model, fold-in (the published models scoring the user's current listens),
    fallback, popularity, popularity-no-model or seeds."""

    user_id: int | None = None
    source: str
    model_version: str | None = None
    generated_at: dt.datetime | None = None
    items: list[RecommendedArtist]
    unknown_seeds: UnknownSeeds | None = None

    def to_pandas(self) -> Any:
        from soundstream._pandas import records_to_frame

        return records_to_frame(self.items)


class Feedback(BaseModel):
    """A user's ``hide`` or ``dislike`` of a recommended artist."""

    user_id: int
    artist_id: int
    kind: str
    created_at: dt.datetime
    name: str | None = None


class FeedbackList(BaseModel):
    """A user's feedback, newest first (each item names its artist)."""

    user_id: int
    items: list[Feedback]
