"""Catalog service application: assembly only."""

from __future__ import annotations

import uvicorn
from fastapi import FastAPI

from catalog import __version__
from catalog.config import Settings, get_settings
from catalog.db import MIGRATIONS
from soundstream_common.app import create_service_app


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        settings or get_settings(),
        title="SoundStream Catalog",
        description="Artists, tags, tag assignments and artist popularity.",
        version=__version__,
        migrations=MIGRATIONS,
    )


def run() -> None:
    """Console entry point ``catalog-api``."""
    settings = get_settings()
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None)
