"""Cache groups of the catalog's hot reads, and what invalidates them.

Each cached endpoint stores its JSON under one group; every write (or applied event) bumps
the groups whose answers it can change:

- ``tags``: tag lists, a tag's artists, timeline and similar tags.
- ``stats``: top tags, dominant vs niche, the global timeline.
- ``search``: the granular artist search.
- ``artists``: an artist's detail (popularity, tag assignments, top tags).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from urllib.parse import urlencode

from fastapi import Request, Response
from pydantic import BaseModel

from soundstream_common.cache import ResponseCache

TAGS = "tags"
STATS = "stats"
SEARCH = "search"
ARTISTS = "artists"

ON_ASSIGNMENTS = (TAGS, STATS, SEARCH, ARTISTS)
"""Tag assignments added or removed (directly or by a cascade)."""
ON_TAGS = (TAGS, STATS, SEARCH, ARTISTS)
"""A tag created, renamed or deleted."""
ON_ARTISTS = (TAGS, SEARCH, ARTISTS)
"""An artist's name or links changed (shown by a tag's artists and the search)."""
ON_POPULARITY = (TAGS, SEARCH, ARTISTS)
"""Listeners or plays changed."""


def canonical_key(path: str, items: Iterable[tuple[str, str]]) -> str:
    """A path with its query parameters (decoded) in a canonical order."""
    return f"{path}?{urlencode(sorted(items))}"


def query_key(request: Request) -> str:
    """The cache key of a request: its path with the query parameters in a canonical order."""
    return canonical_key(request.url.path, request.query_params.multi_items())


def cached_json(
    request: Request, cache: ResponseCache, group: str, compute: Callable[[], BaseModel]
) -> Response:
    """The JSON of ``compute()``, served from ``group`` of the cache when it is there.

    The key is the path with the query parameters in a canonical order; the parameters were
    validated before this is called, and errors raised by ``compute`` are never cached.
    """
    body = cache.get_or_compute(
        group, query_key(request), lambda: compute().model_dump_json(by_alias=True).encode()
    )
    return Response(content=body, media_type="application/json")
