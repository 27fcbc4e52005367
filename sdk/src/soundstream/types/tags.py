"""Tags, their use over time, and tag assignments (who tagged what, when).

The models are generated from the gateway's OpenAPI document (``_generated.py``).
"""

from soundstream.types._generated import (
    SimilarTag,
    Tag,
    TagArtist,
    TagAssignment,
    TagDetail,
    TagTimeline,
    Timeline,
    TimelinePoint,
)

__all__ = [
    "SimilarTag",
    "Tag",
    "TagArtist",
    "TagAssignment",
    "TagDetail",
    "TagTimeline",
    "Timeline",
    "TimelinePoint",
]
