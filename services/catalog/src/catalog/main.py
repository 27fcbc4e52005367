"""Catalog service application: assembly only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from catalog import __version__
from catalog.api.router import ROUTERS
from catalog.config import Settings, get_settings
from catalog.db import MIGRATIONS, prepare_engine
from catalog.models import EVENT_OUTBOX
from catalog.services.tag_index import TagIndex
from catalog.state import CatalogState
from soundstream_common.app import create_service_app, serve, service_state

DESCRIPTION = """Artists, tags, tag assignments and artist popularity.

Lists take `limit` (1..200, default 20) and an opaque `cursor` (pass back `next_cursor`) and
return the total. Errors are `application/problem+json`. Writes to artists publish
`artist.created` / `artist.deleted` on `soundstream:events:catalog` after commit; the
catalog consumes `user.created`, `user.deleted` and `listens.changed` from the listening
service (process `catalog-events`).
"""


@asynccontextmanager
async def _catalog_engine(app: FastAPI) -> AsyncIterator[None]:
    state = service_state(app, CatalogState)
    prepare_engine(state.engine)
    state.tag_index = tag_index = TagIndex(state.engine, wanted=state.settings.tag_index == "auto")
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
        state_type=CatalogState,
        routers=ROUTERS,
        outbox_table=EVENT_OUTBOX,
        extra_lifespan=_catalog_engine,
    )


def run() -> None:
    """Console entry point ``catalog-api``."""
    serve("catalog.main:create_app", get_settings())
