"""A user's listening of an artist (``weight`` = play count).

The models are generated from the gateway's OpenAPI document (``_generated.py``).
"""

from soundstream.types._generated import (
    Listen,
)

__all__ = [
    "Listen",
]
