"""Liveness and readiness, including a database that disappears and comes back."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from soundstream_common.errors import PROBLEM_JSON

from .conftest import ServiceUnderTest


@dataclass(frozen=True)
class Outage:
    """Makes a migrated database disappear, then brings it back with its schema."""

    take_down: Callable[[], None]
    restore: Callable[[], None]


def sqlite_outage(url: str) -> Outage:
    """Move the file away and put a directory in its place, so it cannot be re-created."""
    path = Path(str(make_url(url).database))
    parked = path.with_name(path.name + ".parked")

    def take_down() -> None:
        os.replace(path, parked)
        path.mkdir()

    def restore() -> None:
        path.rmdir()
        os.replace(parked, path)

    return Outage(take_down, restore)


def postgres_outage(url: str, server_url: str, migrate: Callable[[str], None]) -> Outage:
    """Drop the database under the service's feet, then create and migrate it again."""
    name = make_url(url).database
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")

    def execute(sql: str) -> None:
        with admin.connect() as conn:
            conn.execute(text(sql))

    def take_down() -> None:
        execute(f'DROP DATABASE "{name}" WITH (FORCE)')

    def restore() -> None:
        execute(f'CREATE DATABASE "{name}"')
        admin.dispose()
        migrate(url)

    return Outage(take_down, restore)


@pytest.fixture
def migrated_url(service: ServiceUnderTest, database_url: str) -> str:
    service.migrate(database_url)
    return database_url


@pytest.fixture
def outage(
    backend: str, service: ServiceUnderTest, migrated_url: str, request: pytest.FixtureRequest
) -> Outage:
    if backend == "sqlite":
        return sqlite_outage(migrated_url)
    server_url: str = request.getfixturevalue("postgres_server_url")
    return postgres_outage(migrated_url, server_url, service.migrate)


@pytest.fixture
def client(service: ServiceUnderTest, migrated_url: str) -> Iterator[TestClient]:
    with TestClient(service.app(migrated_url)) as client:
        yield client


def test_health_names_service_and_version(service: ServiceUnderTest, sqlite_url: str) -> None:
    with TestClient(service.app(sqlite_url)) as client:
        response = client.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "service": service.name, "version": service.version}


def test_ready_after_migration_names_each_check(
    service: ServiceUnderTest, client: TestClient, backend: str
) -> None:
    response = client.get("/ready")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert body["service"] == service.name
    assert set(body["checks"]) == {"database", "migrations"}
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["database"]["detail"] == backend
    assert body["checks"]["migrations"]["status"] == "ok"
    assert body["checks"]["migrations"]["detail"] == f"at head {service.migrations.head()}"


def test_ready_is_unavailable_until_migrated_then_ready_without_restart(
    service: ServiceUnderTest, database_url: str
) -> None:
    with TestClient(service.app(database_url)) as client:
        before = client.get("/ready")
        service.migrate(database_url)
        after = client.get("/ready")

    assert before.status_code == 503
    assert before.json()["status"] == "unavailable"
    assert before.json()["checks"]["database"]["status"] == "ok"
    migrations = before.json()["checks"]["migrations"]
    assert migrations["status"] == "fail"
    assert "schema at nothing" in migrations["detail"]
    assert after.status_code == 200


def test_ready_follows_the_database_away_and_back(client: TestClient, outage: Outage) -> None:
    assert client.get("/ready").status_code == 200

    outage.take_down()
    down = client.get("/ready")
    outage.restore()
    back = client.get("/ready")

    assert down.status_code == 503
    assert down.json()["status"] == "unavailable"
    assert down.json()["checks"]["database"]["status"] == "fail"
    assert down.json()["checks"]["database"]["detail"].startswith("OperationalError")
    assert back.status_code == 200
    assert back.json()["status"] == "ready"


def test_requests_during_a_database_outage_are_503_problems_with_retry_after(
    client: TestClient, outage: Outage
) -> None:
    assert client.get("/probe/db").json() == {"one": 1}

    outage.take_down()
    down = client.get("/probe/db")
    outage.restore()
    back = client.get("/probe/db")

    assert down.status_code == 503
    assert down.headers["content-type"] == PROBLEM_JSON
    assert down.headers["retry-after"].isdigit()
    body = down.json()
    assert body["type"].endswith("/dependency-unavailable")
    assert body["dependency"] == "database"
    assert body["request_id"] == down.headers["x-request-id"]
    assert "password" not in down.text
    assert back.json() == {"one": 1}


def test_unreachable_database_server_is_not_ready(service: ServiceUnderTest) -> None:
    unreachable = "postgresql://postgres@127.0.0.1:1/nothing"

    with TestClient(service.app(unreachable)) as client:
        ready = client.get("/ready")
        health = client.get("/health")

    assert ready.status_code == 503
    assert ready.json()["checks"]["database"]["status"] == "fail"
    assert health.status_code == 200
