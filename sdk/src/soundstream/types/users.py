"""Users, their listening summary, and the gateway's user profile.

The models are generated from the gateway's OpenAPI document (``_generated.py``).
"""

from soundstream.types._generated import (
    TopArtistOfUser,
    User,
    UserProfile,
    UserSummary,
)

__all__ = [
    "TopArtistOfUser",
    "User",
    "UserProfile",
    "UserSummary",
]
