"""Friendships and what friends listen to.

The models are generated from the gateway's OpenAPI document (``_generated.py``).
"""

from soundstream.types._generated import (
    FriendArtist,
    Friendship,
)

__all__ = [
    "FriendArtist",
    "Friendship",
]
