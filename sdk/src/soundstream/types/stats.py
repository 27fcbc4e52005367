"""Listening and tagging statistics."""

from __future__ import annotations

from soundstream._models import BaseModel


class Overview(BaseModel):
    users: int
    listens: int
    artists: int
    artists_with_listens: int
    friendships: int
    friendship_rows: int
    plays: int
    dataset_version: int


class Quantile(BaseModel):
    p: float
    value: float


class HistogramBin(BaseModel):
    lower: float
    upper: float
    count: int


class LorenzPoint(BaseModel):
    artists_share: float
    plays_share: float


class WeightsStats(BaseModel):
    """The distribution of play counts (quantiles, log histogram, Lorenz curve, Gini)."""

    listens: int
    plays: int
    mean: float | None = None
    quantiles: list[Quantile] = []
    histogram: list[HistogramBin] = []
    artists: int = 0
    gini: float | None = None
    lorenz: list[LorenzPoint] = []
    top_1_percent_share: float | None = None
    top_10_percent_share: float | None = None


class TopArtist(BaseModel):
    rank: int
    artist_id: int
    listeners: int
    plays: int
    name: str | None = None


class CorrelationValue(BaseModel):
    coefficient: float | None = None
    p_value: float | None = None


class Correlation(BaseModel):
    x: str
    y: str
    n: int
    pearson: CorrelationValue
    spearman: CorrelationValue


class DegreeCount(BaseModel):
    friends: int
    users: int


class SocialStats(BaseModel):
    users: int
    mean_friends: float | None = None
    median_friends: float | None = None
    max_friends: int | None = None
    correlations: list[Correlation] = []
    degree_distribution: list[DegreeCount] = []


class PercentileRanks(BaseModel):
    plays: float | None = None
    artists: float | None = None
    friends: float | None = None
    entropy: float | None = None


class UserStats(BaseModel):
    user_id: int
    plays: int
    artists: int
    entropy: float
    normalised_entropy: float | None = None
    gini: float | None = None
    top_artist_share: float | None = None
    friends: int
    percentiles: PercentileRanks


class TagStat(BaseModel):
    rank: int
    id: int
    value: str
    assignments: int
    artists: int
    users: int


class TagDominance(BaseModel):
    id: int
    value: str
    artists: int
    users: int
    artist_share: float
    user_share: float
    kind: str
