"""The cached-read path: a GET whose answer the response cache holds is answered before routing.

A cache entry exists only for a path and query string that a route has validated and answered
with a 200, and it names that route. So routing, validation and forwarding would only make the
same answer again: what is left to check is the caller. The request is authenticated and
counted against its rate limit by the same function as on the routed path, for the scope the
route documents (``x-required-scope``), and answered as the routed path answers a cache hit
(:func:`gateway.forwarding.cached_answer`: 200 with the ETag, or 304). Anything else, a miss, an
entry whose route requires no key, a refused caller, takes the routed path unchanged: the
problem answers are made there only, with the count and the lookup made here reused, never
repeated. The routes are the ones this process has routed and cached an answer of
(:attr:`GatewayState.cached_routes`): an entry another process made for a route not yet
seen here takes the routed path once. ``tests/test_gateway_cached_reads.py`` checks that both
paths answer alike.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.auth import authenticate, route_scope
from gateway.cache import EDGE_LOOKUP, cache_key
from gateway.forwarding import cached_answer
from gateway.state import GatewayState
from soundstream_common.app import service_state


class CachedReadMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        state = service_state(scope["app"], GatewayState)
        lookup = await state.response_cache.get(cache_key(scope))
        if lookup is None:  # no cache (or Redis unavailable)
            await self.app(scope, receive, send)
            return
        scope.setdefault("state", {})[EDGE_LOOKUP] = lookup
        entry = lookup.entry
        route = state.cached_routes.get(entry.route) if entry else None
        required = route_scope(route)
        if entry is None or route is None or required is None:
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            await authenticate(request, required)
        except Exception:  # the routed path answers it (the same problem, or its handler's)
            await self.app(scope, receive, send)
            return
        scope["route"] = route
        state.metrics.cache.labels("hit").inc()
        await cached_answer(request, entry)(scope, receive, send)
