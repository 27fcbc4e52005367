"""OpenAPI declarations of the problem responses routes can give."""

from __future__ import annotations

from typing import Any

from soundstream_common.errors import problem_responses

_DESCRIPTIONS = {
    404: "Unknown id (problem+json).",
    409: "Conflict with the current state (problem+json).",
    422: "Invalid input (problem+json).",
}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return problem_responses(*statuses, descriptions=_DESCRIPTIONS)
