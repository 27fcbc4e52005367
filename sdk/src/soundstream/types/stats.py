"""Listening and tagging statistics.

The models are generated from the gateway's OpenAPI document (``_generated.py``).
"""

from soundstream.types._generated import (
    Correlation,
    CorrelationValue,
    DegreeCount,
    HistogramBin,
    LorenzPoint,
    Overview,
    PercentileRanks,
    Quantile,
    SocialStats,
    TagDominance,
    TagStat,
    TopArtist,
    UserStats,
    WeightsStats,
)

__all__ = [
    "Correlation",
    "CorrelationValue",
    "DegreeCount",
    "HistogramBin",
    "LorenzPoint",
    "Overview",
    "PercentileRanks",
    "Quantile",
    "SocialStats",
    "TagDominance",
    "TagStat",
    "TopArtist",
    "UserStats",
    "WeightsStats",
]
