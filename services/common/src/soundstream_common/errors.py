"""RFC 9457 problem details: domain exceptions and the one place they become HTTP.

Services raise subclasses of :class:`ProblemError`; :func:`install_problem_handlers` maps them,
request-validation errors, unknown routes and dependency failures to
``application/problem+json`` responses that always carry the request id.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from loguru import logger
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from soundstream_common.context import request_id_var
from soundstream_common.middleware import REQUEST_ID_HEADER

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://soundstream.dev/problems/"


class FieldError(BaseModel):
    """One invalid input field."""

    loc: list[str | int] = Field(description="Where the value was found, e.g. ['query', 'limit'].")
    msg: str = Field(description="What is wrong with it.")
    type: str = Field(description="Machine-readable error type.")


class Problem(BaseModel):
    """An RFC 9457 problem details object."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="URI identifying the problem type.")
    title: str = Field(description="Short, human-readable summary of the problem type.")
    status: int = Field(description="HTTP status code.")
    detail: str | None = Field(None, description="Explanation specific to this occurrence.")
    instance: str | None = Field(None, description="The request path.")
    request_id: str | None = Field(None, description="The X-Request-ID of the request.")
    errors: list[FieldError] | None = Field(None, description="Per-field validation errors.")


class ProblemError(Exception):
    """Base of every domain error. Subclasses set ``status`` and ``slug``."""

    status: int = 500
    slug: str = "internal-error"
    title: str | None = None

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        super().__init__(detail or self.default_title())
        self.detail = detail
        self.extra = extra

    @classmethod
    def default_title(cls) -> str:
        return cls.title or HTTPStatus(cls.status).phrase


class NotFoundError(ProblemError):
    status, slug = 404, "not-found"


class ConflictError(ProblemError):
    status, slug = 409, "conflict"


class InvalidInputError(ProblemError):
    status, slug = 422, "validation-error"


class DependencyUnavailableError(ProblemError):
    status, slug, title = 503, "dependency-unavailable", "A dependency is unavailable"


class DependencyTimeoutError(ProblemError):
    status, slug, title = 504, "dependency-timeout", "A dependency timed out"


def problem_responses(
    *statuses: int, descriptions: Mapping[int, str] | None = None
) -> dict[int | str, dict[str, Any]]:
    """``responses=`` of a route: a problem+json answer for each of ``statuses``, described
    by ``descriptions`` (a service's wording) or else by the status' phrase."""
    known = descriptions or {}
    return {
        status: {
            "model": Problem,
            "description": known.get(status, f"{HTTPStatus(status).phrase} (problem+json)."),
        }
        for status in statuses
    }


def current_request_id(request: Request) -> str | None:
    """The request's id, also once the request middleware has returned (unhandled errors)."""
    state: dict[str, Any] = request.scope.get("state") or {}
    return request_id_var.get() or state.get("request_id")


def problem_response(
    request: Request,
    *,
    status: int,
    slug: str,
    title: str | None = None,
    detail: str | None = None,
    errors: Sequence[Mapping[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body = Problem(
        type=PROBLEM_BASE + slug,
        title=title or HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        instance=request.url.path,
        request_id=current_request_id(request),
        errors=[FieldError.model_validate(e) for e in errors] if errors is not None else None,
        **extra,
    )
    return JSONResponse(
        body.model_dump(mode="json", exclude_none=True),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=dict(headers or {}),
    )


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {"loc": list(err.get("loc", ())), "msg": err.get("msg", ""), "type": err.get("type", "")}
        for err in exc.errors()
    ]


def install_problem_handlers(app: FastAPI) -> None:
    """Register the single mapping from exceptions to problem+json responses."""

    @app.exception_handler(ProblemError)
    async def _domain(request: Request, exc: ProblemError) -> JSONResponse:
        return problem_response(
            request,
            status=exc.status,
            slug=exc.slug,
            title=exc.default_title(),
            detail=exc.detail,
            **exc.extra,
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return problem_response(
            request,
            status=422,
            slug="validation-error",
            title="Invalid request",
            detail="One or more fields are invalid.",
            errors=_validation_errors(exc),
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else None
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            from soundstream_common.openapi import allowed_methods  # it imports this module

            documented = allowed_methods(app, request.url.path)
            if documented:
                headers["Allow"] = ", ".join(documented)
        return problem_response(
            request,
            status=exc.status_code,
            slug=HTTPStatus(exc.status_code).phrase.lower().replace(" ", "-"),
            detail=detail,
            headers=headers,
        )

    @app.exception_handler(StaleDataError)
    async def _gone_meanwhile(request: Request, _exc: StaleDataError) -> JSONResponse:
        # A row read at the start of the request was deleted before its change was written
        # (e.g. a PATCH racing a DELETE): what the client asked to change is gone.
        return problem_response(
            request,
            status=404,
            slug="not-found",
            title="Not Found",
            detail="It was deleted while this request was being handled.",
        )

    @app.exception_handler(OperationalError)
    @app.exception_handler(PoolTimeoutError)
    async def _db_down(request: Request, exc: Exception) -> JSONResponse:
        logger.error("database unavailable: {}", exc)
        return problem_response(
            request,
            status=503,
            slug="dependency-unavailable",
            title="A dependency is unavailable",
            detail="The database is unavailable; retry shortly.",
            dependency="database",
            headers={"Retry-After": "5"},
        )

    @app.exception_handler(DBAPIError)
    async def _db_error(request: Request, exc: DBAPIError) -> JSONResponse:
        if exc.connection_invalidated:
            return await _db_down(request, exc)
        logger.exception("database error")
        return problem_response(request, status=500, slug="internal-error")

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Bugs only: bad input never reaches here (it is a 4xx above). This handler runs outside
        # the request middleware, so the request id is added to the log line and headers here.
        request_id = current_request_id(request)
        logger.bind(request_id=request_id or "-").opt(exception=exc).error(
            "unhandled error on {} {}", request.method, request.url.path
        )
        return problem_response(
            request,
            status=500,
            slug="internal-error",
            detail="An unexpected error occurred; quote the request id when reporting it.",
            headers={REQUEST_ID_HEADER: request_id} if request_id else None,
        )
