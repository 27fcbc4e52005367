"""Listening service application: assembly only."""

from __future__ import annotations

import uvicorn
from fastapi import FastAPI

from listening import __version__
from listening.config import Settings, get_settings
from listening.db import MIGRATIONS
from soundstream_common.app import create_service_app


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        settings or get_settings(),
        title="SoundStream Listening",
        description="Users, listens and the friendship graph.",
        version=__version__,
        migrations=MIGRATIONS,
    )


def run() -> None:
    """Console entry point ``listening-api``."""
    settings = get_settings()
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None)
