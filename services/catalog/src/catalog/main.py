"""Catalog service application: assembly only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from catalog import __version__
from catalog.api.artists_plain import PlainArtistRoute
from catalog.api.router import ROUTERS
from catalog.api.search_plain import PlainSearchRoute
from catalog.config import Settings, get_settings
from catalog.db import MIGRATIONS, prepare_engine
from catalog.models import EVENT_OUTBOX
from catalog.services.tag_index import TagIndex
from soundstream_common.app import create_service_app, serve

DESCRIPTION = """Artists, tags, tag assignments and artist popularity.

Lists take `limit` (1..200, default 20) and an opaque `cursor` (pass back `next_cursor`) and
return the total. Errors are `application/problem+json`. Writes to artists publish
`artist.created` / `artist.deleted` on `soundstream:events:catalog` after commit; the
catalog consumes `user.created`, `user.deleted` and `listens.changed` from the listening
service (process `catalog-events`).
"""


@asynccontextmanager
async def _catalog_engine(app: FastAPI) -> AsyncIterator[None]:
    prepare_engine(app.state.engine)
    tag_index = TagIndex(app.state.engine)
    app.state.tag_index = tag_index
    tag_index.current()  # starts the first build in the background
    try:
        yield
    finally:
        tag_index.close()


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        settings or get_settings(),
        title="SoundStream Catalog",
        description=DESCRIPTION,
        version=__version__,
        migrations=MIGRATIONS,
        routers=ROUTERS,
        plain_routes=[PlainSearchRoute(), PlainArtistRoute()],
        outbox_table=EVENT_OUTBOX,
        extra_lifespan=_catalog_engine,
    )


def run() -> None:
    """Console entry point ``catalog-api``."""
    settings = get_settings()
    serve(create_app(settings), settings)
