"""Request and response models of the listening API (Pydantic v2)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from soundstream_common.batch import BatchPage
from soundstream_common.ids import MAX_ID
from soundstream_common.pagination import Page

MAX_WEIGHT = 1_000_000_000_000
MAX_ADDED_PLAYS = 1_000_000_000

UserSort = Literal["id", "plays", "artists", "friends"]
TopArtistsBy = Literal["plays", "listeners"]


class RequestModel(BaseModel):
    """Bodies are strict: JSON integers only, unknown fields rejected."""

    model_config = ConfigDict(extra="forbid", strict=True)


# Users ----------------------------------------------------------------------------------------


class UserCreate(RequestModel):
    id: int | None = Field(
        None,
        ge=1,
        le=MAX_ID,
        description="Explicit id (e.g. the id the user has elsewhere); omitted = next free id.",
        examples=[2101],
    )


class UserSummary(BaseModel):
    """A user with their headline counts."""

    id: int = Field(description="User id.", examples=[2])
    plays: int = Field(description="Total plays over all artists.", examples=[168737])
    artists: int = Field(description="Distinct artists listened to.", examples=[50])
    friends: int = Field(description="Number of friends.", examples=[84])


class UserList(BatchPage[UserSummary]):
    """A page of users; with `ids`, the users asked for in the order given."""


class UserRead(UserSummary):
    """A user's summary with the diversity of their listening."""

    entropy: float = Field(
        description="Shannon entropy (bits) of the user's plays over artists; 0 for one artist.",
        examples=[4.62],
    )
    normalised_entropy: float | None = Field(
        description="Entropy divided by log2(artists), 0..1; null below two artists.",
        examples=[0.82],
    )
    gini: float | None = Field(
        description="Gini coefficient of the user's per-artist plays (0 = even); null if none.",
        examples=[0.57],
    )


# Listens --------------------------------------------------------------------------------------


class ListenRead(BaseModel):
    """Plays of one artist by one user."""

    user_id: int = Field(examples=[2])
    artist_id: int = Field(description="Catalog artist id.", examples=[51])
    weight: int = Field(description="Number of plays.", examples=[13883])


class UserProfile(BaseModel):
    """A user's summary, most played artists and friends: a profile page in one read."""

    user: UserRead
    top_artists: Page[ListenRead] = Field(description="The first page of `/users/{id}/artists`.")
    friends: Page[UserSummary] = Field(description="The first page of `/users/{id}/friends`.")


class ListenPut(RequestModel):
    weight: int = Field(
        ge=1, le=MAX_WEIGHT, description="The play count to store (replaces any).", examples=[250]
    )


class ListenPatch(RequestModel):
    add_plays: int = Field(
        ge=1, le=MAX_ADDED_PLAYS, description="Plays to add to the stored count.", examples=[3]
    )


# Friends --------------------------------------------------------------------------------------


class FriendCreate(RequestModel):
    friend_id: int = Field(ge=1, le=MAX_ID, description="The user to befriend.", examples=[275])


class FriendshipRead(BaseModel):
    """A friendship (stored in both directions)."""

    user_id: int = Field(examples=[2])
    friend_id: int = Field(examples=[275])


class FriendArtist(BaseModel):
    """An artist a user's friends listen to and the user does not."""

    artist_id: int = Field(examples=[289])
    friends: int = Field(description="How many of the user's friends listen to it.", examples=[7])
    plays: int = Field(description="The friends' total plays of it.", examples=[9120])


# Statistics -----------------------------------------------------------------------------------


class Overview(BaseModel):
    """Counts over the whole data set."""

    users: int = Field(examples=[1892])
    listens: int = Field(description="(user, artist) pairs with plays.", examples=[92834])
    artists: int = Field(description="Artists known from the catalog.", examples=[17632])
    artists_with_listens: int = Field(examples=[17632])
    friendships: int = Field(description="Friendships (unordered pairs).", examples=[12717])
    friendship_rows: int = Field(description="Stored directions (2 per pair).", examples=[25434])
    plays: int = Field(description="Total plays.", examples=[69149288])
    dataset_version: int = Field(description="Current data set version.", examples=[1])


class Quantile(BaseModel):
    p: float = Field(description="Probability, 0..1.", examples=[0.5])
    value: float = Field(examples=[260.0])


class HistogramBin(BaseModel):
    lower: float = Field(description="Inclusive lower edge.", examples=[100.0])
    upper: float = Field(description="Exclusive upper edge (inclusive for the last bin).")
    count: int = Field(examples=[21304])


class LorenzPoint(BaseModel):
    artists_share: float = Field(description="Share of artists, least played first.")
    plays_share: float = Field(description="Share of all plays they hold.")


class WeightsStats(BaseModel):
    """Distribution of listen weights and concentration of plays over artists."""

    listens: int = Field(description="Number of listens (weights) described.", examples=[92834])
    plays: int = Field(description="Sum of all weights.", examples=[69149288])
    mean: float | None = Field(description="Mean weight; null without listens.")
    quantiles: list[Quantile] = Field(description="Weight quantiles (empty without listens).")
    histogram: list[HistogramBin] = Field(description="Log-binned histogram of the weights.")
    artists: int = Field(description="Artists with at least one listen.", examples=[17632])
    gini: float | None = Field(description="Gini of artists' total plays.", examples=[0.96])
    lorenz: list[LorenzPoint] = Field(description="Lorenz curve of artists' total plays.")
    top_1_percent_share: float | None = Field(
        description="Share of all plays held by the top 1% of artists (at least one artist).",
        examples=[0.62],
    )
    top_10_percent_share: float | None = Field(
        description="Share of all plays held by the top 10% of artists.", examples=[0.93]
    )


class TopArtist(BaseModel):
    rank: int = Field(description="1-based rank.", examples=[1])
    artist_id: int = Field(examples=[289])
    listeners: int = Field(description="Users who listen to the artist.", examples=[522])
    plays: int = Field(description="Total plays of the artist.", examples=[2393140])


class CorrelationValue(BaseModel):
    coefficient: float | None = Field(description="Null when undefined (n < 3, constant).")
    p_value: float | None = Field(description="Two-sided p-value.")


class CorrelationRead(BaseModel):
    x: str = Field(examples=["friends"])
    y: str = Field(examples=["entropy"])
    n: int = Field(description="Number of users in the sample.", examples=[1892])
    pearson: CorrelationValue
    spearman: CorrelationValue


class DegreeCount(BaseModel):
    friends: int = Field(description="A number of friends.", examples=[3])
    users: int = Field(description="Users with exactly that many friends.", examples=[120])


class SocialStats(BaseModel):
    """Friend count against listening diversity, over every user."""

    users: int = Field(examples=[1892])
    mean_friends: float | None
    median_friends: float | None
    max_friends: int | None
    correlations: list[CorrelationRead] = Field(
        description="friends vs artists and friends vs entropy (Pearson and Spearman)."
    )
    degree_distribution: list[DegreeCount]


class PercentileRanks(BaseModel):
    """Percentage of users at or below this user (weak percentile rank)."""

    plays: float | None
    artists: float | None
    friends: float | None
    entropy: float | None


class UserStats(BaseModel):
    user_id: int = Field(examples=[2])
    plays: int
    artists: int
    entropy: float
    normalised_entropy: float | None
    gini: float | None
    top_artist_share: float | None = Field(description="Share of plays of the top artist.")
    friends: int
    percentiles: PercentileRanks


# Export ---------------------------------------------------------------------------------------


class DatasetVersionRead(BaseModel):
    """The data set's version: changes whenever users, listens or friendships change."""

    version: int = Field(description="Monotonic counter.", examples=[42])
    etag: str = Field(description="The export's ETag for this version.", examples=['"3f2a-42"'])
