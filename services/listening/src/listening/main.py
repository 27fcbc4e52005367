"""Listening service application: assembly only."""

from __future__ import annotations

from fastapi import FastAPI

from listening import __version__
from listening.api.router import ROUTERS
from listening.config import Settings, get_settings
from listening.db import MIGRATIONS
from listening.models import EVENT_OUTBOX
from listening.state import ListeningState
from soundstream_common.app import create_service_app, serve

DESCRIPTION = """\
Users, their listens (plays per artist) and the friendship graph; listening and social
statistics; a versioned snapshot for the recommender.

Artists are owned by the catalog: this service keeps the set of known artist ids current from
the catalog's `artist.created` / `artist.deleted` events, so a listen can only name an artist
the catalog has. Every change of listens publishes `listens.changed` with the artists'
absolute popularity (and, for a write of one user's listen, the `user_id`); user creation
and deletion publish `user.created` / `user.deleted`.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        settings or get_settings(),
        title="SoundStream Listening",
        description=DESCRIPTION,
        version=__version__,
        migrations=MIGRATIONS,
        state_type=ListeningState,
        routers=ROUTERS,
        outbox_table=EVENT_OUTBOX,
    )


def run() -> None:
    """Console entry point ``listening-api``."""
    serve("listening.main:create_app", get_settings())
