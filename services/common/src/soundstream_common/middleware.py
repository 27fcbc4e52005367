"""Request id and access line of every request, as a plain ASGI middleware (no per-request task)."""

from __future__ import annotations

import re
import secrets
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from soundstream_common.access_log import access_log
from soundstream_common.context import request_id_var

REQUEST_ID_HEADER = "x-request-id"
_VALID_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


def _incoming_request_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == REQUEST_ID_HEADER.encode():
            candidate = value.decode("latin-1")
            return candidate if _VALID_ID.match(candidate) else None
    return None


def _client_id(scope: Scope) -> str:
    """The API-key id when an auth layer set one, else the client address."""
    state: dict[str, Any] = scope.get("state") or {}
    if state.get("client_id"):
        return str(state["client_id"])
    client = scope.get("client")
    return client[0] if client else "-"


class RequestContextMiddleware:
    """Accept or create ``X-Request-ID``, return it, and log one access line per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_request_id(scope) or secrets.token_hex(16)
        token = request_id_var.set(request_id)
        # Also kept in the request state: the 500 handler runs outside this middleware,
        # after the context variable has been reset.
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER.encode(), request_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            access_log.record(
                method=scope["method"],
                path=scope["path"],
                query=scope["query_string"].decode("latin-1"),
                status=status,
                latency_ms=(time.perf_counter() - started) * 1000,
                client=_client_id(scope),
                request_id=request_id,
            )
            request_id_var.reset(token)
