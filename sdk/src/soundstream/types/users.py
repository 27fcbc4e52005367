"""Users, their listening summary, and the gateway's user profile."""

from __future__ import annotations

from soundstream._models import BaseModel
from soundstream.types.artists import ArtistSummary
from soundstream.types.recommendations import Recommendations


class UserSummary(BaseModel):
    id: int
    plays: int = 0
    artists: int = 0
    friends: int = 0


class User(UserSummary):
    """A user with listening-diversity measures."""

    entropy: float = 0.0
    normalised_entropy: float | None = None
    gini: float | None = None


class TopArtistOfUser(ArtistSummary):
    weight: int
    """The user's plays of the artist."""


class UserProfile(BaseModel):
    """A user's summary, top artists, friends and recommendations in one answer.

    ``recommendations`` is None when the recommender could not answer; ``unavailable`` names it.
    """

    user: User
    top_artists: list[TopArtistOfUser] = []
    friends: list[UserSummary] = []
    friend_count: int = 0
    recommendations: Recommendations | None = None
    unavailable: list[str] = []
