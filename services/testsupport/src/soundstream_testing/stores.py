"""pytest plugin: the databases and the Redis every service's tests use (registered by the root
``conftest.py``).

Databases: every test that asks for ``database_url`` runs twice, on SQLite and PostgreSQL.
PostgreSQL comes from a testcontainers container when a Docker engine is reachable, else from
``SOUNDSTREAM_TEST_POSTGRES_URL`` (default: the local server). An unreachable PostgreSQL is an
error, never a silent skip: the suite must prove both back ends.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BACKENDS = ("sqlite", "postgresql")


def docker_engine_reachable() -> bool:
    """True when a Docker engine answers (testcontainers can start containers)."""
    try:
        import docker  # type: ignore[import-untyped]

        client = docker.from_env(timeout=3)
        client.ping()
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """A PostgreSQL server URL for the whole session (container or local server)."""
    if docker_engine_reachable():
        from testcontainers.postgres import PostgresContainer

        with PostgresContainer("postgres:16-alpine", driver="psycopg") as container:
            yield container.get_connection_url()
        return
    url = os.environ.get("SOUNDSTREAM_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    engine = create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        pytest.fail(
            f"PostgreSQL is not reachable at {make_url(url).render_as_string()} and no Docker "
            f"engine is available for testcontainers: {exc}",
            pytrace=False,
        )
    finally:
        engine.dispose()
    yield url


def create_pg_database(server_url: str, prefix: str) -> tuple[str, Callable[[], None]]:
    """A new, empty PostgreSQL database on ``server_url``: its URL and a function dropping it."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    return url, drop


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_factory(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Callable[[str], str]]:
    """Make empty databases (one per name) on the test's back end; dropped afterwards."""
    cleanups: list[Callable[[], None]] = []

    def make(name: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{tmp_path / name}.db"
        server = request.getfixturevalue("postgres_server_url")
        url, drop = create_pg_database(server, f"sstest_{name}")
        cleanups.append(drop)
        return url

    yield make
    for cleanup in cleanups:
        cleanup()


@pytest.fixture
def database_url(database_factory: Callable[[str], str]) -> str:
    """One empty database on the test's back end."""
    return database_factory("db")


TEST_REDIS_DB = 15


@pytest.fixture(scope="session")
def redis_server_url() -> Iterator[str]:
    """A Redis server for the session (container when Docker answers, else the local server)."""
    import redis

    if docker_engine_reachable():
        from testcontainers.redis import RedisContainer

        with RedisContainer("redis:7-alpine") as container:
            host = container.get_container_host_ip()
            port = container.get_exposed_port(6379)
            yield f"redis://{host}:{port}/{TEST_REDIS_DB}"
        return
    url = os.environ.get("SOUNDSTREAM_TEST_REDIS_URL", f"redis://127.0.0.1:6379/{TEST_REDIS_DB}")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis is not reachable at {url}: {exc}", pytrace=False)
    yield url


@pytest.fixture
def redis_url(redis_server_url: str) -> Iterator[str]:
    """An empty Redis database for one test (flushed before and after)."""
    import redis

    client = redis.Redis.from_url(redis_server_url)
    client.flushdb()
    yield redis_server_url
    client.flushdb()
    client.close()
