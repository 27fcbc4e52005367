"""Recommendations, their explanations, and feedback on them.

The models are generated from the gateway's OpenAPI document (``_generated.py``).
"""

from soundstream.types._generated import (
    Feedback,
    FeedbackList,
    Reason,
    Recommendations,
    RecommendedArtist,
    UnknownSeeds,
)

__all__ = [
    "Feedback",
    "FeedbackList",
    "Reason",
    "Recommendations",
    "RecommendedArtist",
    "UnknownSeeds",
]
