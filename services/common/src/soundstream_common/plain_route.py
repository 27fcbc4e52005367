"""Hot ``GET`` routes that take plain parameters without FastAPI's request work.

A documented FastAPI route resolves and validates its path and query parameters through the
dependency machinery on every request. For a read answered from memory that costs as much as
the answer itself (about 0.2 ms of a 0.45 ms request). A :class:`PlainRoute` stands before
every other route and takes only the requests whose parameters need no validation to be
understood: a ``GET`` whose query string needs no decoding (no percent-encoding, no ``+``,
ASCII only), with each parameter in its canonical form and, unless it may repeat, given at
most once. Parameters the route does not know are ignored, as FastAPI ignores them.

Everything else (a bad or unusual value, a repeated parameter, ``HEAD``) is not matched here
and reaches the documented route, which validates it: a 422 problem+json for bad input. Both
answer through the same function, so they give the same bytes. A plain route is left out of
the OpenAPI document and never builds URLs; the middleware around the router (request id,
access log, problem+json for errors) applies to it as to any route.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Collection
from typing import Any, Generic, TypeVar

from starlette.datastructures import URLPath
from starlette.routing import BaseRoute, Match, NoMatchFound
from starlette.types import Receive, Scope, Send

from soundstream_common.pagination import (
    DEFAULT_LIMIT,
    MAX_CURSOR_LENGTH,
    MAX_LIMIT,
    InvalidCursorError,
    PageParams,
    decode_cursor,
)

P = TypeVar("P")

Query = dict[bytes, list[bytes]]
"""A plain query string's values by parameter name, in their order."""

_JSON = (b"content-type", b"application/json")
_FLAGS = {b"true": True, b"false": False, b"1": True, b"0": False}


def plain_query(
    query: bytes, names: Collection[bytes], repeatable: Collection[bytes] = ()
) -> Query | None:
    """The values of ``names`` in a query string, or None when it needs decoding or a name
    outside ``repeatable`` is given more than once. Other names are ignored."""
    if b"%" in query or b"+" in query or not query.isascii():
        return None
    given: Query = {}
    if not query:
        return given
    for pair in query.split(b"&"):
        name, _, value = pair.partition(b"=")
        if name in names:
            values = given.setdefault(name, [])
            if values and name not in repeatable:
                return None
            values.append(value)
    return given


def plain_int(value: bytes, low: int, high: int) -> int | None:
    """A decimal integer without sign or leading zero within ``low..high``, else None."""
    if not value.isdigit() or (value[:1] == b"0" and len(value) > 1) or len(value) > 19:
        return None
    number = int(value)
    return number if low <= number <= high else None


def plain_flag(value: bytes) -> bool | None:
    """``true``/``1`` or ``false``/``0``, else None."""
    return _FLAGS.get(value)


def plain_page(given: Query) -> PageParams | None:
    """``limit`` (1..200, default 20) and a well-formed ``cursor``, else None."""
    limit = plain_int(single(given, b"limit", b"%d" % DEFAULT_LIMIT), 1, MAX_LIMIT)
    cursor = given.get(b"cursor")
    if limit is None or (cursor is not None and not 0 < len(cursor[0]) <= MAX_CURSOR_LENGTH):
        return None
    try:
        offset = decode_cursor(cursor[0].decode("ascii")) if cursor else 0
    except InvalidCursorError:
        return None
    return PageParams(limit=limit, offset=offset)


PAGE_NAMES = (b"limit", b"cursor")
"""The query parameters of :func:`plain_page`."""


def single(query: Query, name: bytes, default: bytes) -> bytes:
    """The one value of ``name`` (given at most once), or ``default`` when it is absent."""
    values = query.get(name)
    return values[0] if values else default


class PlainRoute(BaseRoute, Generic[P]):
    """A ``GET`` of ``path`` (exact) or of ``prefix`` + one path segment + ``suffix``,
    answered with JSON from plain parameters; see the module's description."""

    name: str
    path: str = ""
    prefix: str = ""
    suffix: str = ""
    include_in_schema = False

    @property
    def path_format(self) -> str:  # shown in the routes' listing
        return self.path or f"{self.prefix}{{id}}{self.suffix}"

    @abstractmethod
    def parse(self, segment: str, query: bytes) -> P | None:
        """The parameters of a request this route takes (``segment``: what follows the
        prefix, empty for an exact path), or None to leave it to the documented route."""

    @abstractmethod
    async def answer(self, state: Any, params: P) -> bytes:
        """The JSON body for the parsed parameters (``state``: the application's state)."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http" or scope["method"] != "GET" or scope.get("root_path"):
            return Match.NONE, {}
        path: str = scope["path"]
        if self.path:
            if path != self.path:
                return Match.NONE, {}
            segment = ""
        elif path.startswith(self.prefix) and path.endswith(self.suffix):
            segment = path[len(self.prefix) : len(path) - len(self.suffix)]
            if not segment or "/" in segment:
                return Match.NONE, {}
        else:
            return Match.NONE, {}
        params = self.parse(segment, scope["query_string"])
        if params is None:
            return Match.NONE, {}
        return Match.FULL, {"plain_params": params}

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        raise NoMatchFound(name, path_params)  # URLs are built from the documented route

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:  # noqa: ARG002
        body = await self.answer(scope["app"].state, scope["plain_params"])
        headers = [(b"content-length", b"%d" % len(body)), _JSON]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})
