"""Forward a validated /v1 request to its upstream and pass the answer back.

The path (less ``/v1``), the query string and the body go upstream as the client sent them;
the upstream's status, body (problem+json errors included) and ``Location`` come back. Public
GETs go through the response cache and carry a strong ``ETag``; ``If-None-Match`` -> 304.
A write that succeeded makes every cached answer stale.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

import httpx
from fastapi import Request, Response

from gateway.cache import CachedResponse, Lookup, ResponseCache, etag_matches, etag_of
from gateway.clients import Upstreams
from gateway.metrics import GatewayMetrics
from soundstream_common.errors import PROBLEM_JSON

API_PREFIX = "/v1"
PASSED_HEADERS = ("content-type", "retry-after")


def passthrough(response: httpx.Response, instance: str) -> Response:
    """The upstream's answer as the gateway's: ``Location`` moved under /v1, a problem's
    ``instance`` made the gateway path the client called."""
    headers = {name: response.headers[name] for name in PASSED_HEADERS if name in response.headers}
    location = response.headers.get("location")
    if location and location.startswith("/"):
        headers["location"] = API_PREFIX + location
    if response.status_code in (204, 304):
        headers.pop("content-type", None)
        return Response(status_code=response.status_code, headers=headers)
    content = response.content
    if headers.get("content-type", "").startswith(PROBLEM_JSON):
        content = _rewrite_instance(content, instance)
    return Response(content=content, status_code=response.status_code, headers=headers)


def _rewrite_instance(content: bytes, instance: str) -> bytes:
    try:
        problem = json.loads(content)
    except ValueError:
        return content
    if not isinstance(problem, dict):
        return content
    problem["instance"] = instance
    return json.dumps(problem, ensure_ascii=False, separators=(",", ":")).encode()


def cached_answer(request: Request, entry: CachedResponse) -> Response:
    """A 200 (or 304 when the client holds it already) from a cache entry or a fresh body."""
    if etag_matches(request.headers.get("if-none-match"), entry.etag):
        return Response(status_code=304, headers={"etag": entry.etag})
    return Response(entry.body, media_type=entry.media_type, headers={"etag": entry.etag})


async def forward(request: Request, upstream: str, *, cacheable: bool = True) -> Response:
    state = request.app.state
    upstreams: Upstreams = state.upstreams
    client = upstreams[upstream]
    path = request.scope["path"].removeprefix(API_PREFIX)
    query = request.scope["query_string"].decode("latin-1")
    if request.method == "GET":

        async def fetch() -> CachedResponse | Response:
            response = await client.request(
                "GET", path, query=query, headers={"accept": "application/json"}
            )
            if response.status_code != 200:
                return passthrough(response, request.url.path)
            return CachedResponse(
                etag=etag_of(response.content),
                media_type=response.headers.get("content-type", "application/json"),
                body=response.content,
            )

        return await through_cache(request, fetch, cacheable=cacheable)
    body = await request.body()
    headers = {"content-type": request.headers.get("content-type", "application/json")}
    response = await client.request(
        request.method, path, query=query, content=body or None, headers=headers
    )
    if response.status_code < 400:
        cache: ResponseCache = state.response_cache
        await cache.invalidate()
    return passthrough(response, request.url.path)


async def cached_json(request: Request, compute: Callable[[], Awaitable[bytes]]) -> Response:
    """A gateway-computed JSON answer for a GET, through the response cache with an ETag."""

    async def produce() -> CachedResponse:
        body = await compute()
        return CachedResponse(etag=etag_of(body), media_type="application/json", body=body)

    return await through_cache(request, produce)


async def through_cache(
    request: Request,
    produce: Callable[[], Awaitable[CachedResponse | Response]],
    *,
    cacheable: bool = True,
) -> Response:
    """The cached answer to this GET, else ``produce()``'s (stored when it is a 200 entry)."""
    state = request.app.state
    metrics: GatewayMetrics = state.metrics
    cache: ResponseCache = state.response_cache
    key = f"{request.scope['path']}?{request.scope['query_string'].decode('latin-1')}"
    route = request.scope.get("route")
    lookup: Lookup | None = await cache.get(key, route) if cacheable else None
    if lookup is not None and lookup.entry is not None:
        metrics.cache.labels("hit").inc()
        return cached_answer(request, lookup.entry)
    metrics.cache.labels("miss" if lookup is not None else "bypass").inc()
    produced = await produce()
    if isinstance(produced, Response):
        return produced
    if lookup is not None:
        await cache.put(key, lookup.generation, produced, route)
    return cached_answer(request, produced)
