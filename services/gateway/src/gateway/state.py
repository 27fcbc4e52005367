"""What the gateway's requests share: the chassis' state with the gateway's settings, and what
its start-up adds (upstream clients, rate limiter, response cache, key verifier, metrics)."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import Request
from fastapi.routing import APIRoute

from gateway.cache import ResponseCache
from gateway.clients import Upstreams
from gateway.config import Settings
from gateway.keys import KeyVerifier
from gateway.metrics import GatewayMetrics
from gateway.ratelimit import RateLimiter
from soundstream_common.app import ServiceState, service_state


@dataclass(kw_only=True, eq=False)
class GatewayState(ServiceState):
    settings: Settings
    metrics: GatewayMetrics = field(init=False)
    upstreams: Upstreams = field(init=False)
    rate_limiter: RateLimiter = field(init=False)
    response_cache: ResponseCache = field(init=False)
    """Whole answers of the public API (the chassis' ``cache`` is unused here)."""
    key_verifier: KeyVerifier = field(init=False)
    cached_routes: dict[str, APIRoute] = field(default_factory=dict)
    """The GET routes whose answers this process has looked up in the response cache, by
    template: the routes the cached-read path may answer for (:mod:`gateway.cached_reads`)."""


def gateway_state(request: Request) -> GatewayState:
    return service_state(request.app, GatewayState)
