"""Forward a validated /v1 request to its upstream and pass the answer back.

The path (less ``/v1``), the query string and the body go upstream as the client sent them;
the upstream's status, body (problem+json errors included) and ``Location`` come back. Public
GETs go through the response cache and carry a strong ``ETag``; ``If-None-Match`` -> 304.
A write that succeeded makes every cached answer stale. Answers listing artists by id get
their names on the way (:mod:`gateway.naming`).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import replace

from fastapi import Request, Response

from gateway.cache import EDGE_LOOKUP, CachedResponse, Lookup, cache_key, etag_matches, etag_of
from gateway.clients import UpstreamError, UpstreamResponse
from gateway.naming import Naming, UpstreamAnswerError, name_answer
from gateway.state import gateway_state
from soundstream_common.errors import PROBLEM_JSON

API_PREFIX = "/v1"
PASSED_HEADERS = ("content-type", "retry-after")


def passthrough(response: UpstreamResponse, instance: str) -> Response:
    """The upstream's answer as the gateway's: ``Location`` (and the ``status_url`` of an
    answer that has one) moved under /v1, a problem's ``instance`` made the gateway path the
    client called."""
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
    elif location:
        content = _rewrite_status_url(content)
    return Response(content=content, status_code=response.status_code, headers=headers)


def _rewrite_status_url(content: bytes) -> bytes:
    """An accepted job's ``status_url`` (the answer's link to follow) moved under /v1, as
    its ``Location`` is."""
    try:
        answer = json.loads(content)
    except ValueError:
        return content
    link = answer.get("status_url") if isinstance(answer, dict) else None
    if not isinstance(link, str) or not link.startswith("/") or link.startswith(API_PREFIX):
        return content
    answer["status_url"] = API_PREFIX + link
    return json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode()


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


async def forward(
    request: Request,
    upstream: str,
    *,
    cacheable: bool = True,
    read_only: bool = False,
    naming: Naming | None = None,
) -> Response:
    """The upstream's answer to the request. ``cacheable``: a GET whose answer may be cached;
    ``read_only``: a POST that changes nothing (its success leaves the cache as it is);
    ``naming``: where the answer lists artists to name."""
    state = gateway_state(request)
    upstreams = state.upstreams
    client = upstreams[upstream]
    # The path as the client sent it (percent-encoding kept): the decoded one may hold
    # characters a URL cannot carry.
    raw_path: bytes = request.scope.get("raw_path") or request.scope["path"].encode()
    path = raw_path.decode("latin-1").removeprefix(API_PREFIX)
    query = request.scope["query_string"].decode("latin-1")
    if request.method == "GET":

        async def fetch() -> CachedResponse | Response:
            response = await client.request(
                "GET", path, query=query, headers={"accept": "application/json"}
            )
            if response.status_code != 200:
                return passthrough(response, request.url.path)
            content = response.content
            if naming is not None:
                content = await name_answer(upstreams, naming, content)
            return CachedResponse(
                etag=etag_of(content),
                media_type=response.headers.get("content-type", "application/json"),
                body=content,
            )

        return await through_cache(request, fetch, cacheable=cacheable)
    body = await request.body()
    headers = {"content-type": request.headers.get("content-type", "application/json")}
    response = await client.request(
        request.method, path, query=query, content=body or None, headers=headers
    )
    if response.status_code < 400 and not read_only:
        await state.response_cache.invalidate()
    answer = passthrough(response, request.url.path)
    if naming is not None and response.status_code in (200, 201):
        try:
            answer.body = await name_answer(upstreams, naming, response.content)
            answer.headers["content-length"] = str(len(answer.body))
        except (UpstreamError, UpstreamAnswerError):
            if read_only:
                raise
            # The write is done: its answer goes out without names rather than as a 503.
    return answer


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
    """The cached answer to this GET, else ``produce()``'s (stored when it is a 200 entry,
    with the template of the route that made it)."""
    state = gateway_state(request)
    metrics = state.metrics
    cache = state.response_cache
    key = cache_key(request.scope)
    template = request.scope["route"].path
    lookup: Lookup | None = None
    if cacheable:
        state.cached_routes.setdefault(template, request.scope["route"])
        # Looked up already when the cached-read path let the request through to routing.
        seen = request.scope.get("state", {}).get(EDGE_LOOKUP)
        lookup = seen if seen is not None else await cache.get(key)
    if lookup is not None and lookup.entry is not None:
        metrics.cache.labels("hit").inc()
        return cached_answer(request, lookup.entry)
    metrics.cache.labels("miss" if lookup is not None else "bypass").inc()
    produced = await produce()
    if isinstance(produced, Response):
        return produced
    if lookup is not None:
        await cache.put(key, lookup.generation, replace(produced, route=template))
    return cached_answer(request, produced)
