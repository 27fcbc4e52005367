"""Every catalog router, in the order they appear in the API documentation."""

from __future__ import annotations

from fastapi import APIRouter

from catalog.api import artists, assignments, export, search, stats, tags
from soundstream_common.events.api import dead_letters_router

ROUTERS: tuple[APIRouter, ...] = (
    artists.router,
    tags.router,
    assignments.router,
    search.router,
    stats.router,
    export.router,
    dead_letters_router("catalog"),
)
