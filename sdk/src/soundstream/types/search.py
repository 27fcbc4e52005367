"""Artist search by tags."""

from __future__ import annotations

from soundstream._models import BaseModel


class MatchedTag(BaseModel):
    value: str
    count: int


class ArtistSearchHit(BaseModel):
    id: int
    name: str
    is_placeholder: bool = False
    listeners: int = 0
    plays: int = 0
    relevance: float
    matched_tags: list[MatchedTag] = []
