"""A user's listening of an artist (``weight`` = play count)."""

from __future__ import annotations

from soundstream._models import BaseModel


class Listen(BaseModel):
    user_id: int
    artist_id: int
    weight: int
