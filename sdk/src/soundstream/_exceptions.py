"""The SDK's error tree, drawn in one place.

::

    SoundStreamError
    ├── APIStatusError(status_code, request_id, problem)
    │   ├── BadRequestError          400 (and other 4xx without a class of their own)
    │   ├── AuthenticationError      401
    │   ├── PermissionDeniedError    403
    │   ├── NotFoundError            404
    │   ├── ConflictError            409
    │   ├── PayloadTooLargeError     413
    │   ├── ValidationError          422
    │   ├── RateLimitError           429
    │   └── ServerError              5xx
    ├── APIConnectionError
    │   └── APITimeoutError
    ├── APIResponseValidationError   (a 2xx body that does not parse)
    └── TaskTimeoutError             (models.wait gave up)
"""

from __future__ import annotations

from typing import Any

import httpx

from soundstream._retries import parse_retry_after
from soundstream.types.problem import Problem

__all__ = [
    "APIConnectionError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "NotFoundError",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "SoundStreamError",
    "TaskTimeoutError",
    "ValidationError",
    "status_error_from_response",
]

REQUEST_ID_HEADER = "X-Request-ID"


class SoundStreamError(Exception):
    """Base of every error the SDK raises."""


class APIConnectionError(SoundStreamError):
    """The API could not be reached (DNS, refused connection, reset, TLS, ...)."""

    def __init__(self, message: str = "Could not connect to the API.", *, request: httpx.Request):
        super().__init__(message)
        self.request = request


class APITimeoutError(APIConnectionError):
    """The request timed out (connecting, reading or writing)."""

    def __init__(self, *, request: httpx.Request) -> None:
        super().__init__("The request timed out.", request=request)


class APIResponseValidationError(SoundStreamError):
    """A successful response whose body is not what the API promised."""

    def __init__(self, message: str, *, response: httpx.Response | None = None) -> None:
        super().__init__(message)
        self.response = response


class TaskTimeoutError(SoundStreamError, TimeoutError):
    """A background run (of a task graph) did not finish within the time allowed."""

    def __init__(self, run_id: str, timeout: float) -> None:
        super().__init__(f"Run {run_id} did not finish within {timeout:g} s.")
        self.run_id = run_id
        self.timeout = timeout


class APIStatusError(SoundStreamError):
    """The API answered with a 4xx or 5xx status.

    ``problem`` is the RFC 9457 problem details body when the API sent one; ``request_id``
    the ``X-Request-ID`` of the response (quote it when reporting an error).
    """

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response,
        problem: Problem | None,
        body: Any,
    ) -> None:
        super().__init__(message)
        self.response = response
        self.status_code = response.status_code
        self.problem = problem
        self.body = body
        self.request_id: str | None = response.headers.get(REQUEST_ID_HEADER) or (
            problem.request_id if problem else None
        )


class BadRequestError(APIStatusError):
    """400, and any other 4xx without a more specific class."""


class AuthenticationError(APIStatusError):
    """401: the API key is missing or invalid."""


class PermissionDeniedError(APIStatusError):
    """403: the API key lacks the scope this operation needs."""


class NotFoundError(APIStatusError):
    """404: no such resource."""


class ConflictError(APIStatusError):
    """409: the request conflicts with the current state (e.g. a duplicate)."""


class PayloadTooLargeError(APIStatusError):
    """413: the request body is larger than the API accepts."""


class ValidationError(APIStatusError):
    """422: invalid input; ``problem.errors`` lists the offending fields."""


class RateLimitError(APIStatusError):
    """429: too many requests; ``retry_after`` says how long to wait (seconds), when known."""

    @property
    def retry_after(self) -> float | None:
        return parse_retry_after(self.response.headers)


class ServerError(APIStatusError):
    """5xx: the API or one of the services behind it failed."""


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    413: PayloadTooLargeError,
    422: ValidationError,
    429: RateLimitError,
}


def _parse_problem(body: Any) -> Problem | None:
    if not isinstance(body, dict) or "status" not in body or "title" not in body:
        return None
    try:
        return Problem.model_validate(body)
    except ValueError:
        return None


def status_error_from_response(response: httpx.Response) -> APIStatusError:
    """The :class:`APIStatusError` subclass for an error response, with its problem details."""
    try:
        body: Any = response.json()
    except ValueError:
        body = response.text or None
    problem = _parse_problem(body)
    status = response.status_code
    if status in _BY_STATUS:
        error_class = _BY_STATUS[status]
    elif status >= 500:
        error_class = ServerError
    elif status >= 400:
        error_class = BadRequestError
    else:
        error_class = APIStatusError
    summary = (
        problem.detail or problem.title if problem else (body if isinstance(body, str) else "")
    )
    message = f"{status} {response.reason_phrase}" + (f": {summary}" if summary else "")
    return error_class(message, response=response, problem=problem, body=body)
