"""RFC 9457 problem details, the body of every error response.

The models are generated from the gateway's OpenAPI document (``_generated.py``).
"""

from soundstream.types._generated import (
    FieldError,
    Problem,
)

__all__ = [
    "FieldError",
    "Problem",
]
