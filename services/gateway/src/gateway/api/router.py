"""Every gateway router, in the order they appear in the API documentation."""

from __future__ import annotations

from fastapi import APIRouter

from gateway.api import keys, views
from gateway.api.upstream import UPSTREAM_ROUTERS

ROUTERS: tuple[APIRouter, ...] = (
    views.recommendations,
    views.users,
    views.artists,
    *UPSTREAM_ROUTERS,
    keys.router,
)
