"""RFC 9457 problem details, the body of every error response."""

from __future__ import annotations

from soundstream._models import BaseModel


class FieldError(BaseModel):
    """One invalid input field."""

    loc: list[str | int]
    msg: str
    type: str


class Problem(BaseModel):
    """An ``application/problem+json`` body."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    request_id: str | None = None
    errors: list[FieldError] | None = None
