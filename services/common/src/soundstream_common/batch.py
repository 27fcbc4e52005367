"""Batch reads by id: ``GET /<things>?ids=1,2,3`` instead of one call per thing.

A list route takes an ``ids`` parameter (:func:`batch_ids`): the things named, in the order
given (a repeated id read once), at most one page (``MAX_LIMIT``); the ids naming nothing are
answered apart, in ``missing``. ``ids`` does not combine with the list's own parameters.
"""

# No ``from __future__ import annotations``: FastAPI reads the annotations of the dependency
# built by ``batch_ids``, which name values local to it.
from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query, Request
from pydantic import Field

from soundstream_common.errors import InvalidInputError
from soundstream_common.ids import MAX_ID
from soundstream_common.pagination import MAX_LIMIT, Page

T = TypeVar("T")

IDS_PATTERN = r"^[0-9]{1,19}(,[0-9]{1,19})*$"
IDS_MAX_LENGTH = MAX_LIMIT * 11


class BatchPage(Page[T], Generic[T]):
    """A page of a list; with ``ids``, the things asked for in the order given."""

    missing: list[int] = Field(
        default_factory=list,
        description="With `ids`: the ids that name nothing, in the order given.",
        examples=[[]],
    )


def _invalid(message: str, kind: str) -> InvalidInputError:
    return InvalidInputError(
        message, errors=[{"loc": ["query", "ids"], "msg": message, "type": kind}]
    )


def batch_ids(
    what: str, exclusive: Sequence[str], example: str
) -> Callable[..., Awaitable[list[int] | None]]:
    """The dependency reading ``ids`` for a list of ``what`` (plural noun) whose own
    parameters ``exclusive`` cannot be combined with it."""
    names = ", ".join(f"`{name}`" for name in exclusive)

    async def ids_dependency(
        request: Request,
        ids: Annotated[
            str | None,
            Query(
                pattern=IDS_PATTERN,
                max_length=IDS_MAX_LENGTH,
                description=f"Read these {what} (comma-separated ids, at most {MAX_LIMIT}) "
                "instead of a page: in the order given, a repeat read once; the ids naming "
                f"nothing are listed in `missing`. Not combined with {names}.",
                examples=[example],
            ),
        ] = None,
    ) -> list[int] | None:
        if ids is None:
            return None
        combined = [name for name in exclusive if name in request.query_params]
        if combined:
            raise InvalidInputError(
                f"`ids` cannot be combined with {', '.join(combined)}.",
                errors=[
                    {"loc": ["query", name], "msg": "not allowed with ids", "type": "exclusive"}
                    for name in combined
                ],
            )
        distinct = list(dict.fromkeys(int(part) for part in ids.split(",")))
        if len(distinct) > MAX_LIMIT:
            raise _invalid(f"At most {MAX_LIMIT} distinct ids per request.", "too_long")
        if any(not 1 <= ident <= MAX_ID for ident in distinct):
            raise _invalid(f"Ids are integers from 1 to {MAX_ID}.", "out_of_range")
        return distinct

    return ids_dependency


def batch_page(ids: Sequence[int], found: dict[int, Any]) -> dict[str, Any]:
    """The JSON-ready page of a batch read: ``found`` (id -> item) in the order of ``ids``."""
    items = [found[ident] for ident in ids if ident in found]
    return {
        "items": items,
        "total": len(items),
        "limit": len(ids),
        "next_cursor": None,
        "missing": [ident for ident in ids if ident not in found],
    }
