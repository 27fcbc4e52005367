"""The containers' start-up sequence, on a real PostgreSQL and Redis: testcontainers'
``PostgresContainer`` and ``RedisContainer`` when a Docker engine answers, else the local
servers (``soundstream_testing.stores``). The environment of every step is the one
docker-compose.yml gives it, with only the addresses changed to these servers:

init script (a database and role per service) -> migration steps -> data loader -> services.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from soundstream_admin.local_redis import free_port
from soundstream_testing import wait_until

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
COMPOSE: dict[str, Any] = yaml.safe_load((REPO / "docker-compose.yml").read_text())
DATABASES = ("catalog", "listening", "recommender")
USERS = 40
DEFAULTED = re.compile(r"\$\{[A-Z_][A-Z0-9_]*:-([^}]*)\}")
REQUIRED = re.compile(r"\$\{([A-Z_][A-Z0-9_]*):\?[^}]*\}")
# The deployment's secrets, as an operator generates them (each one once, shared by every
# container that reads it).
SECRETS: dict[str, str] = {}


@pytest.fixture
def service_servers(postgres_server_url: str) -> Iterator[dict[str, str]]:
    """The init script's databases and roles, under names of this test; dropped afterwards."""
    suffix = uuid.uuid4().hex[:8]
    names = {db: f"{db}_{suffix}" for db in DATABASES}
    server = make_url(postgres_server_url)
    env = {
        **os.environ,
        "PGHOST": server.host or "127.0.0.1",
        "PGPORT": str(server.port or 5432),
        "PGUSER": server.username or "postgres",
        "POSTGRES_DB": server.database or "postgres",
        "SOUNDSTREAM_DATABASES": " ".join(names.values()),
        **{f"{name.upper()}_DB_PASSWORD": f"pw-{name}" for name in names.values()},
    }
    if server.password:
        env["PGPASSWORD"] = server.password
    script = REPO / "infra" / "postgres" / "init-databases.sh"
    subprocess.run(["bash", str(script)], env=env, check=True, capture_output=True)
    urls = {
        db: server.set(username=name, password=f"pw-{name}", database=name).render_as_string(
            hide_password=False
        )
        for db, name in names.items()
    }
    yield urls
    admin = create_engine(postgres_server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in names.values():
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'DROP ROLE IF EXISTS "{name}"'))
    admin.dispose()


def generated(match: re.Match[str]) -> str:
    return SECRETS.setdefault(match.group(1), secrets.token_hex(32))


def compose_env(service: str, databases: dict[str, str], redis_url: str) -> dict[str, str]:
    """The compose file's environment for ``service``, pointed at the test's servers, with
    generated secrets, in production mode (the services' secret rules apply)."""
    env = {"SOUNDSTREAM_ENVIRONMENT": "production"}
    for key, value in COMPOSE["services"][service]["environment"].items():
        value = str(value)
        if key.endswith("_DATABASE_URL"):
            value = databases[value.rsplit("/", 1)[1]]
        elif value.endswith("@redis:6379/0"):
            value = redis_url  # the test's server has no password
        elif value == "0.0.0.0":
            value = "127.0.0.1"
        value = DEFAULTED.sub(r"\1", value)  # ${LEVEL:-INFO} -> INFO
        env[key] = REQUIRED.sub(generated, value)  # ${SECRET:?...} -> a generated one
    return env


def run(command: list[str], env: dict[str, str], cwd: Path) -> str:
    result = subprocess.run(
        command, env={**os.environ, **env}, cwd=cwd, capture_output=True, text=True
    )
    assert result.returncode == 0, f"{command}: {result.stdout[-2000:]}{result.stderr[-2000:]}"
    return result.stdout


@contextmanager
def service(command: list[str], env: dict[str, str], log: Path) -> Iterator[None]:
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(BIN / command[0]), *command[1:]],
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_ready(url: str, log: Path, timeout: float = 60.0) -> None:
    wait_until(
        lambda: httpx.get(url, timeout=2.0).status_code == 200,
        timeout=timeout,
        what=lambda: f"{url} to be ready:\n{log.read_text(errors='replace')[-3000:]}",
        poll=0.3,
        ignoring=(httpx.HTTPError,),
    )


@pytest.mark.postgres
@pytest.mark.timeout(420)
def test_compose_start_up_sequence_on_postgresql_and_redis(
    service_servers: dict[str, str], redis_url: str, tmp_path: Path
) -> None:
    for database in DATABASES:  # the migrate-<database> steps, each as its service's role
        job = COMPOSE["services"][f"migrate-{database}"]
        env = compose_env(f"migrate-{database}", service_servers, redis_url)
        command = [sys.executable, str(REPO / "infra" / "docker" / "migrate.py")]
        assert "at " in run(command + job["command"][2:], env, tmp_path)

    data = tmp_path / "hetrec"  # the loader, on generated data (no download in tests)
    run([str(BIN / "soundstream-admin"), "generate", "--out", str(data), "--users", str(USERS)],
        {}, tmp_path)  # fmt: skip
    loader_env = compose_env("load-data", service_servers, redis_url)
    loader_env["SOUNDSTREAM_DATA_DIR"] = str(tmp_path / "loader")
    run([str(BIN / "soundstream-admin"), "import", "--data-dir", str(data)], loader_env, tmp_path)

    ports = {name: free_port() for name in ("catalog", "listening")}
    with ExitStack() as stack:
        for name, port in ports.items():
            env = compose_env(name, service_servers, redis_url)
            env[f"{name.upper()}_PORT"] = str(port)
            env[f"{name.upper()}_DATA_DIR"] = str(tmp_path / name)
            log = tmp_path / f"{name}.log"
            stack.enter_context(service(COMPOSE["services"][name]["command"], env, log))
            wait_ready(f"http://127.0.0.1:{port}/ready", log)

        listening = f"http://127.0.0.1:{ports['listening']}"
        catalog = f"http://127.0.0.1:{ports['catalog']}"
        token = {"X-Service-Token": SECRETS["SOUNDSTREAM_SERVICE_TOKEN"]}
        tokenless = httpx.get(f"{listening}/stats/overview", timeout=10.0)
        overview = httpx.get(f"{listening}/stats/overview", headers=token, timeout=10.0).json()
        artists = httpx.get(
            f"{catalog}/artists", params={"limit": 1}, headers=token, timeout=10.0
        ).json()
        ready = httpx.get(f"{catalog}/ready", timeout=10.0).json()

    assert tokenless.status_code == 401  # an internal service answers its deployment only
    assert overview["users"] == USERS
    assert artists["total"] > 0
    assert ready["status"] == "ready", ready  # database and Redis both answered
