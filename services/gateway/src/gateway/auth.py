"""Authentication, scopes and rate limits: one dependency on every /v1 route.

The key comes from ``X-API-Key`` or ``Authorization: Bearer``. Each request is first counted
against its caller's rate limit (the key, or the client address when there is no valid key),
then its scope is checked: no or an invalid key where one is needed -> 401, a key without the
scope -> 403. Keys never reach a log line: only their public id does (as the access log's
client).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from gateway.config import Settings
from gateway.keys import Scope
from gateway.ratelimit import RateLimitDecision
from gateway.state import gateway_state
from soundstream_common.errors import ProblemError

API_KEY_HEADER = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="An API key (`ss_<id>_<secret>`)."
)
BEARER = HTTPBearer(auto_error=False, description="The API key as a bearer token.")


class AuthenticationRequiredError(ProblemError):
    status, slug, title = 401, "authentication-required", "A valid API key is required"


class ScopeRequiredError(ProblemError):
    status, slug, title = 403, "insufficient-scope", "The API key lacks the required scope"


class RateLimitedError(ProblemError):
    status, slug, title = 429, "rate-limited", "Too many requests"


@dataclass(frozen=True)
class Principal:
    """Who is calling: a key (id and scopes) or an anonymous client address."""

    key_id: str | None
    scopes: frozenset[Scope]
    address: str

    @property
    def rate_identity(self) -> str:
        return f"key:{self.key_id}" if self.key_id else f"ip:{self.address}"

    @property
    def rate_scope(self) -> str:
        for scope in (Scope.admin, Scope.write, Scope.read):
            if scope in self.scopes:
                return scope.value
        return "anonymous"


def _presented_key(request: Request) -> str | None:
    """The key the request carries (None when it carries none). A credential header that
    cannot hold a key (an empty ``X-API-Key``, ``Authorization: Basic ...``) presents an
    invalid one: its sender must learn that, not be served anonymously."""
    header_key = request.headers.get("x-api-key")
    if header_key is not None:
        return header_key
    authorization = request.headers.get("authorization")
    if authorization is None:
        return None
    scheme, _, credentials = authorization.partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" else ""


def _limit_for(settings: Settings, principal: Principal) -> int:
    limits = {
        "anonymous": settings.rate_limit_anonymous,
        "read": settings.rate_limit_read,
        "write": settings.rate_limit_write,
        "admin": settings.rate_limit_admin,
    }
    return limits[principal.rate_scope]


async def authenticate(request: Request, required: Scope) -> Principal:
    """The caller of ``request``, counted once against its rate limit and allowed ``required``;
    else the 429, 401 or 403 problem. A request the cached-read path has counted already
    (:mod:`gateway.cached_reads`) keeps that count."""
    state = gateway_state(request)
    settings = state.settings
    key = _presented_key(request)
    address = request.client.host if request.client else "-"
    found = await state.key_verifier.verify(key) if key else None
    principal = Principal(
        key_id=found[0] if found else None,
        scopes=found[1] if found else frozenset(),
        address=address,
    )
    if principal.key_id:
        request.state.client_id = principal.key_id
    limiter = state.rate_limiter
    decision: RateLimitDecision | None = getattr(request.state, "rate_limit", None)
    if decision is None:
        decision = await limiter.hit(principal.rate_identity, _limit_for(settings, principal))
        request.state.rate_limit = decision
        if not decision.allowed:
            state.metrics.rate_limited.labels(principal.rate_scope).inc()
    if not decision.allowed:
        raise RateLimitedError(
            f"At most {decision.limit} requests per {limiter.window} s; "
            f"retry in {decision.reset_seconds} s."
        )
    if key is not None and not found:
        raise AuthenticationRequiredError("The API key is not valid (unknown or revoked).")
    if principal.key_id is None:
        if required is Scope.read and settings.public_reads:
            return principal
        raise AuthenticationRequiredError(
            f"This operation needs an API key with the {required.value!r} scope "
            "(X-API-Key or Authorization: Bearer)."
        )
    if required not in principal.scopes:
        raise ScopeRequiredError(f"This operation needs the {required.value!r} scope.")
    return principal


def _checker(required: Scope) -> Any:
    async def check(
        request: Request,
        header_key: Annotated[str | None, Depends(API_KEY_HEADER)],
        bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)],
    ) -> Principal:
        # Both are declared for the API's documentation; authenticate reads the headers.
        del header_key, bearer
        return await authenticate(request, required)

    return check


def route_scope(route: Any) -> Scope | None:
    """The scope a route requires, as its documentation says (None: no key checked)."""
    extra = getattr(route, "openapi_extra", None) or {}
    required = extra.get("x-required-scope")
    return Scope(required) if required else None


_CHECKERS = {scope: _checker(scope) for scope in Scope}


def requires(scope: str) -> dict[str, Any]:
    """Route keyword arguments: the auth dependency for ``scope`` and its documentation."""
    required = Scope(scope)
    return {
        "dependencies": [Security(_CHECKERS[required])],
        "openapi_extra": {"x-required-scope": required.value},
    }


def principal_dependency(scope: Scope) -> Any:
    """The auth dependency itself, for routes that need the caller (``Annotated[..., it]``)."""
    return Security(_CHECKERS[scope])
