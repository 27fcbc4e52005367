"""Analytics service application: assembly only."""

from __future__ import annotations

from fastapi import FastAPI

from analytics import __version__
from analytics.api.router import ROUTERS
from analytics.config import Settings, get_settings
from analytics.db import MIGRATIONS
from analytics.state import AnalyticsState
from soundstream_common.app import create_service_app, serve

DESCRIPTION = """The warehouse of daily statistics, its exports, data quality and query templates.

The service reads the catalog's and the listening service's export streams (never their
tables), and writes per-day statistics into its warehouse (a DuckDB file, or PostgreSQL by
URL) through typed extractors. Errors are `application/problem+json`.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        settings or get_settings(),
        title="SoundStream Analytics",
        description=DESCRIPTION,
        version=__version__,
        migrations=MIGRATIONS,
        state_type=AnalyticsState,
        routers=ROUTERS,
    )


def run() -> None:
    """Console entry point ``analytics-api``."""
    serve("analytics.main:create_app", get_settings())
