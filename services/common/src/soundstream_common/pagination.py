"""Uniform list pagination: ``limit`` (1..200, default 20) and an opaque ``cursor``.

Every list endpoint takes :data:`PageParamsDep` and returns :class:`Page`. The cursor encodes
the position in the result ordering (base64 of a small JSON object); clients pass back the
``next_cursor`` they received and never build one. A malformed cursor is a 422.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel, Field

from soundstream_common.errors import InvalidInputError

T = TypeVar("T")

MAX_LIMIT = 200
DEFAULT_LIMIT = 20
MAX_CURSOR_LENGTH = 200
MAX_OFFSET = 2**31 - 1
"""No list is longer; a larger offset can only come from a forged cursor."""


class InvalidCursorError(InvalidInputError):
    slug = "invalid-cursor"
    title = "Invalid cursor"


def encode_cursor(offset: int) -> str:
    raw = json.dumps({"o": offset}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        offset = data["o"]
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise InvalidCursorError("The cursor is malformed; pass back a next_cursor.") from exc
    if not isinstance(offset, int) or isinstance(offset, bool) or not 0 <= offset <= MAX_OFFSET:
        raise InvalidCursorError("The cursor is malformed; pass back a next_cursor.")
    return offset


@dataclass(frozen=True)
class PageParams:
    limit: int
    offset: int

    def page(self, items: list[T], total: int) -> Page[T]:
        following = self.offset + len(items)
        return Page[T](
            items=items,
            total=total,
            limit=self.limit,
            next_cursor=encode_cursor(following) if following < total else None,
        )


async def page_params(
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description="Items per page (1..200).")
    ] = DEFAULT_LIMIT,
    cursor: Annotated[
        str | None,
        Query(
            max_length=MAX_CURSOR_LENGTH,
            description="Opaque cursor from a previous page's next_cursor.",
        ),
    ] = None,
) -> PageParams:
    return PageParams(limit=limit, offset=decode_cursor(cursor) if cursor else 0)


PageParamsDep = Annotated[PageParams, Depends(page_params)]


class Page(BaseModel, Generic[T]):
    """One page of a list, with the total number of matching items."""

    items: list[T]
    total: int = Field(description="Number of items matching the query, across all pages.")
    limit: int = Field(description="Page size used.")
    next_cursor: str | None = Field(None, description="Cursor of the next page; null at the end.")
