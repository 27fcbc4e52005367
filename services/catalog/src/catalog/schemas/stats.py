"""Tag statistics: top tags, dominant vs niche."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field

from soundstream_common.pagination import Page


class TopTagsBy(StrEnum):
    assignments = "assignments"
    artists = "artists"
    users = "users"


class TagKind(StrEnum):
    dominant = "dominant"
    niche = "niche"


class TagStat(BaseModel):
    rank: int = Field(description="1-based position in the requested order.", examples=[1])
    id: int = Field(examples=[73])
    value: str = Field(examples=["rock"])
    assignments: int = Field(examples=[7503])
    artists: int = Field(description="Distinct artists carrying the tag.", examples=[2283])
    users: int = Field(description="Distinct users who applied the tag.", examples=[673])


class TagDominance(BaseModel):
    id: int = Field(examples=[73])
    value: str = Field(examples=["rock"])
    artists: int
    users: int
    artist_share: float = Field(description="artists / tagged artists.", examples=[0.1823])
    user_share: float = Field(description="users / taggers.", examples=[0.3557])
    kind: TagKind


class DominancePage(Page[TagDominance]):
    rule: str = Field(description="The classification rule, with the thresholds used.")
    min_artist_share: float
    min_user_share: float
    tagged_artists: int = Field(description="Artists with at least one tag assignment.")
    taggers: int = Field(description="Users with at least one tag assignment.")
    dominant: int = Field(description="Tags classified dominant.")
    niche: int = Field(description="Used tags classified niche.")
