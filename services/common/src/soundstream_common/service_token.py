"""Internal services answer only their own deployment: every call carries the service token.

The token (``SOUNDSTREAM_SERVICE_TOKEN``, one per deployment) is held by the gateway, the
workers, the event consumers and the admin tools, and sent as ``X-Service-Token``. The chassis
checks it, in constant time, before anything else of a request is looked at (an unknown
route or a bad parameter is not told to a caller without it): a call without it, or with
another one, is a 401 problem.

Public without it: ``/health`` and ``/ready`` (the container healthchecks and the local runner
probe them; they tell a status, no data) and the API's description (``/docs``, ``/redoc``,
``/openapi.json``: the schema, no data). Outside development the token is required by the
settings (:mod:`soundstream_common.secret_rules`); in development an unset token turns the
check off (``make dev`` always sets one).
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from soundstream_common.errors import problem_response
from soundstream_common.secret_rules import same_secret

SERVICE_TOKEN_HEADER = "X-Service-Token"
PUBLIC_PATHS = frozenset(
    {"/health", "/ready", "/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json"}
)
"""Probes and API documents: no data. ``/metrics`` has a token of its own (Prometheus holds
that one, not the service token); the documentation pages' assets are public too."""
PUBLIC_PREFIXES = ("/metrics", "/docs/assets/")


def service_headers(token: str | None) -> dict[str, str]:
    """The headers a caller of an internal service adds (none when it holds no token)."""
    return {SERVICE_TOKEN_HEADER: token} if token else {}


def _presented(headers: Mapping[str, str]) -> str | None:
    return headers.get(SERVICE_TOKEN_HEADER.lower())


class ServiceTokenMiddleware:
    """401 ``service-token-required`` for a call without the deployment's service token."""

    def __init__(self, app: ASGIApp, *, token: str) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        presented = _presented(request.headers)
        if presented is not None and same_secret(presented, self.token):
            await self.app(scope, receive, send)
            return
        response = problem_response(
            request,
            status=401,
            slug="service-token-required",
            title="A valid service token is required",
            detail=f"This is an internal service: call it through the gateway, or send the "
            f"deployment's service token as {SERVICE_TOKEN_HEADER}.",
            headers={"WWW-Authenticate": f'ServiceToken header="{SERVICE_TOKEN_HEADER}"'},
        )
        await response(scope, receive, send)
