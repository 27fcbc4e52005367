"""Models of the gateway's own operations: API keys and the aggregated views."""

from __future__ import annotations

import datetime

from pydantic import BaseModel, ConfigDict, Field

from gateway.keys import Scope
from gateway.schemas import catalog, listening, recommender


class KeyCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"name": "dashboard", "scopes": ["read"]}]},
    )

    name: str = Field(min_length=1, max_length=100, description="What the key is for.")
    scopes: list[Scope] = Field(
        default_factory=lambda: [Scope.read],
        min_length=1,
        max_length=3,
        description="read, write (includes read) and/or admin (includes everything).",
    )


class KeyRead(BaseModel):
    """An API key without its secret."""

    id: str = Field(description="The key's public id (the part after `ss_`).")
    name: str
    scopes: list[Scope]
    created_at: datetime.datetime
    revoked_at: datetime.datetime | None = None


class KeyCreated(KeyRead):
    """A new key: ``key`` is shown this once and never stored."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "9f2c4e1a7b3d5c60",
                    "name": "dashboard",
                    "scopes": ["read"],
                    "created_at": "2026-11-26T17:00:00Z",
                    "revoked_at": None,
                    "key": "ss_9f2c4e1a7b3d5c60_Vq3k8N0yX2bL5mR7tW9zA1cE4gH6jK8nP0sU2wY4a6c",
                }
            ]
        }
    )

    key: str = Field(description="The API key; send it as X-API-Key or a bearer token.")


class EnrichedRecommendation(recommender.RecommendedArtist):
    """A recommended artist with its catalog details."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "artist_id": 89,
                    "score": 0.93,
                    "listened": False,
                    "reasons": None,
                    "name": "Lady Gaga",
                    "url": "http://www.last.fm/music/Lady+Gaga",
                    "picture_url": "http://userserve-ak.last.fm/serve/252/47390093.png",
                    "top_tags": [{"id": 24, "value": "pop", "count": 99}],
                }
            ]
        }
    )

    name: str | None = Field(None, description="Artist name (null if the catalog lacks it).")
    url: str | None = Field(None, description="Last.fm page of the artist.")
    picture_url: str | None = Field(None, description="Picture of the artist.")
    top_tags: list[catalog.TagCount] = Field(
        default_factory=list, description="The artist's most applied tags (up to 5)."
    )


class EnrichedRecommendations(BaseModel):
    user_id: int | None = None
    source: str = Field(description="Where the list comes from (model, popularity, ...).")
    model_version: str | None = None
    generated_at: datetime.datetime | None = None
    items: list[EnrichedRecommendation]


class ArtistSummary(BaseModel):
    """An artist named in an aggregated view."""

    id: int
    name: str | None = None
    url: str | None = None
    picture_url: str | None = None


class SimilarArtist(ArtistSummary):
    score: float = Field(description="Similarity (higher is closer).")


class TopArtistOfUser(ArtistSummary):
    weight: int = Field(description="The user's plays of the artist.")


class UserProfile(BaseModel):
    """A user's summary, top artists, friends and recommendations in one answer."""

    user: listening.UserRead
    top_artists: list[TopArtistOfUser]
    friends: list[listening.UserSummary] = Field(description="Friends (the first 50).")
    friend_count: int
    recommendations: EnrichedRecommendations | None = Field(
        None, description="Null when the recommender is unavailable (see `unavailable`)."
    )
    unavailable: list[str] = Field(
        default_factory=list, description="Upstreams that could not answer their part."
    )


class ArtistPage(BaseModel):
    """An artist's details, top tags, listeners and similar artists in one answer."""

    artist: catalog.ArtistDetail
    top_tags: list[catalog.TagCount]
    listeners: int = Field(description="Distinct users who listened to the artist.")
    plays: int = Field(description="Total plays of the artist.")
    similar: list[SimilarArtist] | None = Field(
        None, description="Null when the recommender is unavailable (see `unavailable`)."
    )
    unavailable: list[str] = Field(default_factory=list)
