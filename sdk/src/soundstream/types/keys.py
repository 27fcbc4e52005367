"""API keys of the gateway (managed with an ``admin`` key).

The models are generated from the gateway's OpenAPI document (``_generated.py``).
"""

from soundstream.types._generated import (
    APIKey,
    APIKeyCreated,
)

__all__ = [
    "APIKey",
    "APIKeyCreated",
]
