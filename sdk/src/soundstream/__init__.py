"""SoundStream Analytics Python SDK.

>>> from soundstream import SoundStream
>>> with SoundStream(api_key="...") as client:
...     for artist in client.artists.list(sort="plays"):
...         print(artist.name)
"""

from soundstream._base_client import NOT_GIVEN
from soundstream._client import AsyncSoundStream, SoundStream
from soundstream._exceptions import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    SoundStreamError,
    TaskTimeoutError,
    ValidationError,
)
from soundstream._pagination import AsyncPage, AsyncPaginator, SyncPage
from soundstream._retries import RetryPolicy
from soundstream._version import __version__

__all__ = [
    "NOT_GIVEN",
    "APIConnectionError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncPage",
    "AsyncPaginator",
    "AsyncSoundStream",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "NotFoundError",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "RateLimitError",
    "RetryPolicy",
    "ServerError",
    "SoundStream",
    "SoundStreamError",
    "SyncPage",
    "TaskTimeoutError",
    "ValidationError",
    "__version__",
]
