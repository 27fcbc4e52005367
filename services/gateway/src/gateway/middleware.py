"""The gateway's edge, as one plain ASGI middleware: body size limit, security and rate-limit
headers on every answer, and the request metrics."""

from __future__ import annotations

import json
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.metrics import GatewayMetrics
from gateway.ratelimit import RateLimitDecision
from soundstream_common.errors import PROBLEM_BASE, PROBLEM_JSON

SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-resource-policy", b"same-site"),
)
# The API answers JSON only; the documentation pages load their scripts and styles.
API_CSP = (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'")
DOC_PATHS = ("/docs", "/redoc")


class BodyTooLargeError(Exception):
    pass


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class GatewayEdgeMiddleware:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int, metrics: GatewayMetrics) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        response_started = False
        path: str = scope.get("path", "")
        security = [*SECURITY_HEADERS, *(() if path.startswith(DOC_PATHS) else (API_CSP,))]

        too_large = False

        async def send_with_headers(message: Message) -> None:
            nonlocal status, response_started
            if too_large and not response_started:
                return  # whatever the app made of the cut body: the 413 goes out instead
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.extend(security)
                decision: RateLimitDecision | None = (scope.get("state") or {}).get("rate_limit")
                if decision is not None:
                    headers.extend(
                        (name.lower().encode(), value.encode())
                        for name, value in decision.headers().items()
                        if name != "Retry-After" or status == 429
                    )
                message["headers"] = headers
            await send(message)

        received = 0

        async def limited_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    too_large = True
                    raise BodyTooLargeError
            return message

        try:
            length = _content_length(scope)
            if length is not None and length > self.max_body_bytes:
                too_large = True
            else:
                await self.app(scope, limited_receive, send_with_headers)
        except BodyTooLargeError:
            if response_started:
                raise
        finally:
            if too_large and not response_started:
                too_large = False
                await self._too_large(scope, send_with_headers)
            route = scope.get("route")
            template = getattr(route, "path", "unmatched")
            method = scope.get("method", "-")
            self.metrics.requests.labels(method, template, str(status)).inc()
            self.metrics.latency.labels(method, template).observe(time.perf_counter() - started)

    async def _too_large(self, scope: Scope, send: Send) -> None:
        state: dict[str, Any] = scope.get("state") or {}
        body = json.dumps(
            {
                "type": PROBLEM_BASE + "payload-too-large",
                "title": "Request body too large",
                "status": 413,
                "detail": f"The request body exceeds {self.max_body_bytes} bytes.",
                "instance": scope.get("path", ""),
                "request_id": state.get("request_id"),
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", PROBLEM_JSON.encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
