"""The error answers documented on every /v1 operation."""

from __future__ import annotations

from typing import Any

from soundstream_common.errors import problem_responses

DESCRIPTIONS = {
    401: "No API key, or an invalid one, where one is needed (problem+json).",
    403: "The API key lacks the operation's scope (problem+json).",
    413: "The request body is too large (problem+json).",
    429: "Rate limit exceeded; see Retry-After (problem+json).",
    503: "An upstream service is unavailable; the body names it (problem+json).",
    504: "An upstream service timed out; the body names it (problem+json).",
}
ALWAYS = (401, 403, 429, 503, 504)


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route: the gateway's own failures plus the upstream's ``statuses``."""
    return problem_responses(*sorted({*statuses, *ALWAYS}), descriptions=DESCRIPTIONS)
