"""Fixtures for the chassis tests: real catalog and listening apps with test-only probe routes."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import pytest
from fastapi import APIRouter, FastAPI, Query
from loguru import logger
from pydantic import BaseModel
from sqlalchemy import text

import catalog
import catalog.config
import catalog.db
import catalog.main
import listening
import listening.config
import listening.db
import listening.main
from soundstream_common.app import SessionDep
from soundstream_common.db import Migrations, create_db_engine
from soundstream_common.errors import NotFoundError, ProblemError
from soundstream_common.settings import ServiceSettings, env_prefix

SERVICE_ENV_PREFIXES = (env_prefix("catalog"), env_prefix("listening"))


@dataclass(frozen=True)
class ServiceUnderTest:
    """One real service: how to configure it, build its app and migrate its database."""

    name: str
    version: str
    settings_cls: type[ServiceSettings]
    create_app: Callable[[Any], FastAPI]
    migrations: Migrations

    @property
    def env_prefix(self) -> str:
        return env_prefix(self.name)

    def settings(self, database_url: str, **overrides: Any) -> ServiceSettings:
        """Settings for tests: the given database, no Redis, plain-text console logs."""
        values: dict[str, Any] = {"redis_url": "", "log_json": False, **overrides}
        return self.settings_cls(database_url=database_url, **values)

    def app(self, database_url: str, **overrides: Any) -> FastAPI:
        """The service's real app with the probe routes mounted."""
        app = self.create_app(self.settings(database_url, **overrides))
        app.include_router(probe_router())
        return app

    def migrate(self, database_url: str) -> None:
        engine = create_db_engine(database_url)
        try:
            self.migrations.upgrade(engine)
        finally:
            engine.dispose()


SERVICES = {
    "catalog": ServiceUnderTest(
        "catalog",
        catalog.__version__,
        catalog.config.Settings,
        catalog.main.create_app,
        catalog.db.MIGRATIONS,
    ),
    "listening": ServiceUnderTest(
        "listening",
        listening.__version__,
        listening.config.Settings,
        listening.main.create_app,
        listening.db.MIGRATIONS,
    ),
}


class QuotaExceededError(ProblemError):
    """A domain error with its own status, slug and title."""

    status, slug, title = 429, "quota-exceeded", "Quota exceeded"


class Thing(BaseModel):
    name: str


def probe_router() -> APIRouter:
    """Test-only routes that exercise every path through the error handlers."""
    router = APIRouter(prefix="/probe", tags=["probe"])

    @router.get("/artists/{artist_id}")
    def missing_artist(artist_id: int) -> None:
        raise NotFoundError(f"Artist {artist_id} does not exist.", artist_id=artist_id)

    @router.get("/quota")
    def quota() -> None:
        raise QuotaExceededError("100 requests per minute.")

    @router.get("/items")
    def items(limit: int = Query(ge=1, le=100)) -> dict[str, int]:
        return {"limit": limit}

    @router.get("/boom")
    def boom() -> None:
        raise RuntimeError("internal detail: password=hunter2")

    @router.get("/db")
    def db(session: SessionDep) -> dict[str, int]:
        return {"one": session.execute(text("SELECT 1")).scalar_one()}

    @router.get("/echo")
    def echo(
        q: str | None = None, tag: Annotated[list[str] | None, Query()] = None
    ) -> dict[str, Any]:
        return {"q": q, "tag": tag}

    @router.post("/things")
    def things(thing: Thing) -> dict[str, str]:
        return {"name": thing.name}

    @router.get("/chatter")
    def chatter() -> dict[str, bool]:
        """A third-party library talking, as httpcore does on every upstream call."""
        library = logging.getLogger("httpcore.connection")
        library.debug("connect_tcp.started host='upstream'")
        library.warning("connection pool is full")
        return {"ok": True}

    return router


@pytest.fixture(params=sorted(SERVICES))
def service(request: pytest.FixtureRequest) -> ServiceUnderTest:
    """Each test that asks for it runs against the catalog and the listening service."""
    return SERVICES[str(request.param)]


@pytest.fixture
def catalog_service() -> ServiceUnderTest:
    return SERVICES["catalog"]


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite file for tests of the HTTP layer, which never depend on the back end."""
    return f"sqlite:///{tmp_path / 'http.db'}"


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No service variables or ``.env`` from the developer's shell; caches and logging reset."""
    for name in list(os.environ):
        if name.startswith(SERVICE_ENV_PREFIXES):
            monkeypatch.delenv(name)
    monkeypatch.delenv("SOUNDSTREAM_DATA_DIR", raising=False)
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    catalog.config.get_settings.cache_clear()
    listening.config.get_settings.cache_clear()
    yield
    catalog.config.get_settings.cache_clear()
    listening.config.get_settings.cache_clear()
    logger.remove()
    logger.add(sys.stderr)
