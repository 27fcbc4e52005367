"""Fixtures for the listening service: the real app on a migrated database, seeded by hand.

The hand-made data set (every expected number in the tests is computed from it by hand):

    artists known from the catalog: 10, 20, 30, 40, 50
    users: 1, 2, 3, 4
    listens (user, artist, weight): (1, 10, 1) (1, 20, 1) (2, 10, 3) (2, 30, 1) (3, 40, 6)
    friendships: 1-2, 1-3 (stored both ways: 4 rows)

User 4 has neither listens nor friends; artist 50 is known but nobody listens to it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert, select, text

import listening.config
from listening.config import Settings
from listening.db import MIGRATIONS
from listening.main import create_app
from listening.models import EVENT_OUTBOX, ArtistRef, DatasetVersion, Friendship, Listen, User
from listening.state import ListeningState
from soundstream_common.app import service_state
from soundstream_common.db import create_db_engine
from soundstream_testing.stores import BACKENDS, create_pg_database

ARTISTS = (10, 20, 30, 40, 50)
USERS = (1, 2, 3, 4)
LISTENS = ((1, 10, 1), (1, 20, 1), (2, 10, 3), (2, 30, 1), (3, 40, 6))
FRIENDSHIPS = ((1, 2), (1, 3))


@dataclass
class ListeningService:
    """The listening app under test, with a test client and a direct view of its database."""

    app: FastAPI
    client: TestClient
    engine: Engine
    settings: Settings
    closers: list[Callable[[], None]] = field(default_factory=list)

    @property
    def app_state(self) -> ListeningState:
        """The running app's state (its cache, its outbox, its sessions)."""
        return service_state(self.app, ListeningState)

    def add_artists(self, *artist_ids: int) -> None:
        """Make artists known, as the catalog's artist.created events would."""
        with self.engine.begin() as conn:
            conn.execute(insert(ArtistRef), [{"id": i} for i in artist_ids])

    def seed(self) -> None:
        """Load the hand-made data set through the models, in one transaction.

        (The API's own writes are what the tests exercise; the seed only sets the scene, so it
        records no events and leaves the data set version at 1.)
        """
        with self.engine.begin() as conn:
            conn.execute(insert(ArtistRef), [{"id": i} for i in ARTISTS])
            conn.execute(insert(User), [{"id": i} for i in USERS])
            conn.execute(
                insert(Listen),
                [{"user_id": u, "artist_id": a, "weight": w} for u, a, w in LISTENS],
            )
            conn.execute(
                insert(Friendship),
                [
                    {"user_id": a, "friend_id": b}
                    for x, y in FRIENDSHIPS
                    for a, b in ((x, y), (y, x))
                ],
            )

    def state(self) -> dict[str, Any]:
        """Every row the service owns, the data set version and the unpublished events."""
        with self.engine.connect() as conn:
            return {
                "users": sorted(conn.execute(select(User.id)).scalars()),
                "artists": sorted(conn.execute(select(ArtistRef.id)).scalars()),
                "listens": sorted(
                    tuple(r)
                    for r in conn.execute(select(Listen.user_id, Listen.artist_id, Listen.weight))
                ),
                "friendships": sorted(
                    tuple(r) for r in conn.execute(select(Friendship.user_id, Friendship.friend_id))
                ),
                "version": conn.execute(select(DatasetVersion.version)).scalar_one(),
                "outbox": [tuple(r) for r in conn.execute(select(EVENT_OUTBOX.c.seq))],
            }

    def version(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(DatasetVersion.version)).scalar_one())

    def outbox(self) -> list[tuple[str, dict[str, Any]]]:
        """Recorded, not yet published events: (type, payload), oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(EVENT_OUTBOX.c.event).order_by(EVENT_OUTBOX.c.seq))
            events = [json.loads(row.event) for row in rows]
        return [(e["type"], e["payload"]) for e in events]

    def execute(self, sql: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(text(sql))

    def close(self) -> None:
        for closer in reversed(self.closers):
            closer()


def start_service(database_url: str, redis_url: str = "", **overrides: Any) -> ListeningService:
    """Migrate ``database_url`` and start the listening app on it."""
    engine = create_db_engine(database_url)
    MIGRATIONS.upgrade(engine)
    settings = Settings(database_url=database_url, redis_url=redis_url, log_json=False, **overrides)
    app = create_app(settings)
    client = TestClient(app, raise_server_exceptions=False)
    client.__enter__()
    service = ListeningService(app=app, client=client, engine=engine, settings=settings)
    service.closers += [engine.dispose, lambda: client.__exit__(None, None, None)]
    return service


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No LISTENING_ variables or ``.env`` from the developer's shell."""
    for name in list(os.environ):
        if name.startswith("LISTENING_"):
            monkeypatch.delenv(name)
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    listening.config.get_settings.cache_clear()
    yield
    listening.config.get_settings.cache_clear()


@pytest.fixture
def make_service(
    database_factory: Callable[[str], str],
) -> Iterator[Callable[..., ListeningService]]:
    """Start listening apps on fresh databases of the test's back end; stopped afterwards."""
    started: list[ListeningService] = []

    def make(*, seeded: bool = True, redis_url: str = "", **overrides: Any) -> ListeningService:
        service = start_service(
            database_factory(f"listening{len(started)}"), redis_url, **overrides
        )
        started.append(service)
        if seeded:
            service.seed()
        return service

    yield make
    for service in started:
        service.close()


@pytest.fixture
def api(make_service: Callable[..., ListeningService]) -> ListeningService:
    """The seeded service without Redis (no cache; events stay in the outbox)."""
    return make_service()


@pytest.fixture
def redis_api(make_service: Callable[..., ListeningService], redis_url: str) -> ListeningService:
    """The seeded service with a real Redis (cache on; events relayed to the stream)."""
    return make_service(redis_url=redis_url)


def _module_database(
    backend: str, request: pytest.FixtureRequest
) -> tuple[str, Callable[[], None]]:
    if backend == "sqlite":
        path = request.getfixturevalue("tmp_path_factory").mktemp("listening") / "shared.db"
        return f"sqlite:///{path}", lambda: None
    server = str(request.getfixturevalue("postgres_server_url"))
    return create_pg_database(server, "sstest_listening")


@pytest.fixture(scope="module", params=BACKENDS)
def shared_api(request: pytest.FixtureRequest) -> Iterator[ListeningService]:
    """One seeded service per back end, shared by a module's tests that change nothing."""
    url, drop = _module_database(str(request.param), request)
    service = start_service(url)
    service.seed()
    yield service
    service.close()
    drop()
