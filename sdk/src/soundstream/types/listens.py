"""A user's listening of an artist (``weight`` = play count)."""

from __future__ import annotations

from soundstream._models import BaseModel


class Listen(BaseModel):
    user_id: int
    artist_id: int
    weight: int
    name: str | None = None
    """The artist's name (None for an artist the catalog no longer has)."""
