"""Artist search by tags.

The models are generated from the gateway's OpenAPI document (``_generated.py``).
"""

from soundstream.types._generated import (
    ArtistSearchHit,
    MatchedTag,
)

__all__ = [
    "ArtistSearchHit",
    "MatchedTag",
]
