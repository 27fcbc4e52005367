"""Friendships and what friends listen to."""

from __future__ import annotations

from soundstream._models import BaseModel


class Friendship(BaseModel):
    user_id: int
    friend_id: int


class FriendArtist(BaseModel):
    """An artist the user's friends listen to: how many friends and their plays."""

    artist_id: int
    friends: int
    plays: int
    name: str | None = None
