"""Every router of the listening API, in one place."""

from __future__ import annotations

from fastapi import APIRouter

from listening.api import export, friends, listens, stats, users
from soundstream_common.events.api import dead_letters_router

ROUTERS: list[APIRouter] = [
    users.router,
    listens.router,
    friends.router,
    stats.router,
    export.router,
    dead_letters_router("listening"),
]
