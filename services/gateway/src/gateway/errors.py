"""Upstream failures as answers: the gateway's own 503/504 problems, and the upstream's
errors in a composed view passed to the client as they came."""

from __future__ import annotations

from fastapi import FastAPI, Request, Response

from gateway.clients import UpstreamError
from gateway.forwarding import passthrough
from gateway.naming import UpstreamAnswerError
from soundstream_common.errors import problem_response


async def _upstream_failed(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, UpstreamError)
    headers = {"Retry-After": str(max(1, round(exc.retry_after)))} if exc.retry_after else None
    return problem_response(
        request,
        status=exc.status,
        slug=exc.slug,
        title=exc.default_title(),
        detail=exc.detail,
        headers=headers,
        upstream=exc.upstream,
    )


async def _upstream_answered(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, UpstreamAnswerError)
    return passthrough(exc.response, request.url.path)


def install_upstream_handlers(app: FastAPI) -> None:
    app.add_exception_handler(UpstreamError, _upstream_failed)
    app.add_exception_handler(UpstreamAnswerError, _upstream_answered)
