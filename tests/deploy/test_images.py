"""The images and their scripts, checked here: the Dockerfile is lint-clean and builds what the
deployment needs, and the scripts it ships (PostgreSQL init, migration step, health check) do
their job against the real local PostgreSQL and Redis."""

from __future__ import annotations

import http.server
import os
import re
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from soundstream_admin.local_redis import free_port

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO / "Dockerfile"
HADOLINT = Path(sys.executable).parent / "hadolint"
INIT_SCRIPT = REPO / "infra" / "postgres" / "init-databases.sh"
MIGRATE = REPO / "infra" / "docker" / "migrate.py"
HEALTHCHECK = REPO / "infra" / "docker" / "healthcheck.py"


def test_dockerfile_passes_hadolint_with_every_exception_justified() -> None:
    result = subprocess.run([str(HADOLINT), str(DOCKERFILE)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = DOCKERFILE.read_text().splitlines()
    for number, line in enumerate(lines):
        if "hadolint ignore" in line:
            reason = line.split("hadolint ignore", 1)[1]
            previous = lines[number - 1] if number else ""
            assert len(reason.split()) > 1 or previous.startswith("#"), f"line {number + 1}"


def test_dockerfile_is_multi_stage_frozen_per_package_non_root_and_health_checked() -> None:
    text = DOCKERFILE.read_text()
    assert len(re.findall(r"^FROM ", text, re.MULTILINE)) >= 3
    syncs = re.findall(r"uv sync ([^\n]+)", text)
    assert syncs
    assert all("--frozen" in s and '--package "${PACKAGE}"' in s for s in syncs)
    assert all("--no-dev" in s for s in syncs)
    users = re.findall(r"^USER (\S+)", text, re.MULTILINE)
    assert users
    assert users[-1].split(":")[0] not in ("root", "0")
    assert re.search(r"^HEALTHCHECK .*\n\s+CMD", text, re.MULTILINE)


def test_dockerignore_keeps_secrets_and_local_state_out_of_the_context() -> None:
    ignored = (REPO / ".dockerignore").read_text().splitlines()
    for entry in (".env", "**/.venv", "**/.git", "var"):
        assert entry in ignored


def run_init(server_url: str, names: list[str], passwords: dict[str, str]) -> None:
    url = make_url(server_url)
    env = {
        **os.environ,
        "PGHOST": url.host or "127.0.0.1",
        "PGPORT": str(url.port or 5432),
        "PGUSER": url.username or "postgres",
        "POSTGRES_DB": url.database or "postgres",
        "SOUNDSTREAM_DATABASES": " ".join(names),
        **{f"{name.upper()}_DB_PASSWORD": pw for name, pw in passwords.items()},
    }
    if url.password:
        env["PGPASSWORD"] = url.password
    subprocess.run(["bash", str(INIT_SCRIPT)], env=env, check=True, capture_output=True)


@pytest.fixture
def service_databases(postgres_server_url: str) -> Iterator[list[str]]:
    """Two fresh service databases made by the init script; dropped afterwards."""
    suffix = uuid.uuid4().hex[:8]
    names = [f"ssinit_a_{suffix}", f"ssinit_b_{suffix}"]
    run_init(postgres_server_url, names, {name: f"pw-{name}" for name in names})
    yield names
    admin = create_engine(postgres_server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'DROP ROLE IF EXISTS "{name}"'))
    admin.dispose()


def role_url(server_url: str, role: str, database: str) -> str:
    url = make_url(server_url).set(username=role, password=f"pw-{role}", database=database)
    return url.render_as_string(hide_password=False)


@pytest.mark.postgres
def test_init_script_gives_each_service_its_own_database_and_role(
    postgres_server_url: str, service_databases: list[str]
) -> None:
    first, second = service_databases
    run_init(postgres_server_url, service_databases, {n: f"pw-{n}" for n in service_databases})

    own = create_engine(role_url(postgres_server_url, first, first))
    with own.begin() as conn:
        conn.execute(text("CREATE TABLE owned (id integer)"))
        assert conn.execute(text("SELECT current_user")).scalar() == first
    own.dispose()
    other = create_engine(role_url(postgres_server_url, first, second))
    with pytest.raises(Exception, match=r"permission denied|CONNECT"), other.connect():
        pass
    other.dispose()


@pytest.mark.postgres
def test_migration_step_upgrades_a_service_database_as_its_own_role(
    postgres_server_url: str, service_databases: list[str]
) -> None:
    database = service_databases[0]
    url = role_url(postgres_server_url, database, database)
    env = {**os.environ, "CATALOG_DATABASE_URL": url}
    command = [sys.executable, str(MIGRATE), "--settings", "catalog.config:Settings"]
    command += ["--migrations", "catalog.db:MIGRATIONS"]

    first = subprocess.run(command, env=env, capture_output=True, text=True)
    again = subprocess.run(command, env=env, capture_output=True, text=True)

    assert first.returncode == 0, first.stderr
    assert again.returncode == 0, again.stderr
    from catalog.db import MIGRATIONS

    assert first.stdout.strip().endswith(f"at {MIGRATIONS.head()}")
    engine = create_engine(url)
    assert "artists" in inspect(engine).get_table_names()
    engine.dispose()


def test_migration_step_fails_clearly_when_the_database_never_answers() -> None:
    url = f"postgresql://nobody@127.0.0.1:{free_port()}/nothing"
    command = [sys.executable, str(MIGRATE), "--settings", "catalog.config:Settings"]
    command += ["--migrations", "catalog.db:MIGRATIONS", "--wait", "1"]

    result = subprocess.run(
        command, env={**os.environ, "CATALOG_DATABASE_URL": url}, capture_output=True, text=True
    )

    assert result.returncode == 1
    assert "not reachable" in result.stderr


@pytest.fixture
def http_status_server() -> Iterator[str]:
    """Answers /ok with 200 and anything else with 503."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200 if self.path == "/ok" else 503)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def healthcheck(*args: str, env: dict[str, str] | None = None) -> int:
    command = [sys.executable, str(HEALTHCHECK), *args]
    return subprocess.run(
        command, env={**os.environ, **(env or {})}, capture_output=True
    ).returncode


def test_healthcheck_reports_http_readiness(http_status_server: str) -> None:
    assert healthcheck(f"{http_status_server}/ok") == 0
    assert healthcheck(f"{http_status_server}/not-ready") == 1
    assert healthcheck(f"http://127.0.0.1:{free_port()}/ready") == 1


def test_healthcheck_reports_redis_and_uses_the_image_default(redis_url: str) -> None:
    closed = f"redis://127.0.0.1:{free_port()}/0"
    assert healthcheck("redis:CHECK_REDIS_URL", env={"CHECK_REDIS_URL": redis_url}) == 0
    assert healthcheck("redis:CHECK_REDIS_URL", env={"CHECK_REDIS_URL": closed}) == 1
    default = {"SOUNDSTREAM_HEALTHCHECK": "redis:CHECK_REDIS_URL", "CHECK_REDIS_URL": redis_url}
    assert healthcheck(env=default) == 0


def test_dockerfile_copies_every_workspace_members_metadata_before_the_first_sync() -> None:
    """uv refuses a frozen sync when a workspace member is missing from the build context."""
    import tomllib

    members = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["uv"]["workspace"]
    text = DOCKERFILE.read_text()
    first_sync = text.index("uv sync")
    copied = re.findall(r"^COPY (.+) (\S+)/$", text[:first_sync], re.MULTILINE)
    sources = " ".join(source for source, _ in copied)
    for member in members["members"]:
        assert f"{member}/pyproject.toml" in sources, f"{member} is not copied before `uv sync`"
