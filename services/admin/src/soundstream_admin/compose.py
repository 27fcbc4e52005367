"""``soundstream-admin compose``: docker-compose.yml, generated from ``infra/stack.toml``.

The stack file is the one definition of every process (command, port, environment); the local
runner reads it and this module renders the Compose file from it, so the two cannot drift (a
test compares the committed file with a fresh rendering). What only a container deployment has
lives here: PostgreSQL with one database and role per service, Redis, one migration step per
service database, the one-shot data loader, volumes, health checks and restart policies.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from soundstream_admin.runner import ServiceSpec, resolve_urls
from soundstream_admin.yaml_text import to_yaml

POSTGRES_IMAGE = "postgres:16-alpine"
REDIS_IMAGE = "redis:7-alpine"
REDIS_URL = "redis://redis:6379/0"
PUBLIC_SERVICES = ("gateway", "dashboard")  # the only ones publishing a port on the host
# The databases ``soundstream-admin import`` writes or reads (soundstream_admin.services).
LOADER_DATABASES = ("catalog", "listening", "recommender")
LOADER_PACKAGE = "soundstream-admin"
LOGGING = {"driver": "json-file", "options": {"max-size": "10m", "max-file": "5"}}

HEADER = """\
# SoundStream Analytics — the whole stack in containers: `docker compose up -d`.
#
# GENERATED from infra/stack.toml by `soundstream-admin compose`; do not edit by hand (a test
# fails when this file and the stack file disagree). Change a process in infra/stack.toml, the
# container plumbing in services/admin/src/soundstream_admin/compose.py, then regenerate.
# Settings come from .env (copy .env.example); development additions: compose.override.yml
# (merged automatically; production: `docker compose -f docker-compose.yml up -d`).
# Deployment guide: docs/deploy.md.
"""


def password_variable(database: str) -> str:
    return f"{database.upper()}_DB_PASSWORD"


def required(variable: str) -> str:
    """A ``.env`` variable the deployment cannot run without."""
    return f"${{{variable}:?set {variable} in .env (see .env.example)}}"


def database_url(database: str) -> str:
    return (
        f"postgresql://{database}:{required(password_variable(database))}@postgres:5432/{database}"
    )


def compose_urls(specs: Sequence[ServiceSpec]) -> dict[str, str]:
    """Each HTTP service's base URL on the Compose network (its name and its own port)."""
    return {spec.name: f"http://{spec.name}:{spec.port}" for spec in specs if spec.port}


def build(package: str, command: Sequence[str], healthcheck: str) -> dict[str, Any]:
    args = {"PACKAGE": package, "COMMAND": " ".join(command), "HEALTHCHECK": healthcheck}
    return {"context": ".", "dockerfile": "Dockerfile", "args": args}


def health_target(spec: ServiceSpec) -> str:
    """What the container's health check probes (see infra/docker/healthcheck.py)."""
    if spec.healthcheck:
        return spec.healthcheck
    if spec.port is not None:
        return f"http://127.0.0.1:{spec.port}{spec.ready}"
    if spec.redis:
        return f"redis:{spec.env_prefix}REDIS_URL"
    raise ValueError(f"{spec.name}: no port and no Redis: say its `healthcheck` in the stack")


def healthcheck(target: str, start_period: str = "30s") -> dict[str, Any]:
    return {
        "test": ["CMD", "python", "/app/bin/healthcheck.py", target],
        "interval": "15s",
        "timeout": "10s",
        "retries": 5,
        "start_period": start_period,
    }


def stack_env(spec: ServiceSpec, specs: Sequence[ServiceSpec]) -> dict[str, str]:
    """The stack-file settings of ``spec``'s service: every ``env`` entry with its prefix.

    The local runner gives each process the whole stack's ``env``; what a process reads is what
    carries its prefix (the recommender's worker needs the listening URL set on its API).
    """
    env: dict[str, str] = {}
    for other in specs:
        env |= {k: v for k, v in other.env.items() if k.startswith(spec.env_prefix)}
    return env


def process_env(
    spec: ServiceSpec, specs: Sequence[ServiceSpec], urls: Mapping[str, str]
) -> dict[str, str]:
    """The process's environment: container addresses, its database and Redis, its secrets."""
    prefix = spec.env_prefix
    env: dict[str, str] = {}
    if spec.port is not None:
        env[f"{prefix}HOST"] = "0.0.0.0"
        env[f"{prefix}PORT"] = str(spec.port)
    if spec.database:
        env[f"{prefix}DATABASE_URL"] = database_url(spec.database)
        env[f"{prefix}LOG_JSON"] = "true"
        env[f"{prefix}LOG_LEVEL"] = f"${{{prefix}LOG_LEVEL:-INFO}}"
    if spec.redis:
        env[f"{prefix}REDIS_URL"] = REDIS_URL
    env |= {key: resolve_urls(value, urls) for key, value in stack_env(spec, specs).items()}
    env |= {name: required(name) for name in spec.secrets}
    return env


def migration_jobs(specs: Sequence[ServiceSpec]) -> dict[str, dict[str, Any]]:
    """``migrate-<database>``: the owning service's image upgrades its database, then exits."""
    jobs: dict[str, dict[str, Any]] = {}
    for spec in specs:
        if not (spec.migrations and spec.database and spec.package and spec.settings):
            continue
        command = ["python", "/app/bin/migrate.py", "--settings", spec.settings]
        command += ["--migrations", spec.migrations]
        jobs[f"migrate-{spec.database}"] = {
            "build": build(spec.package, spec.command, health_target(spec)),
            "command": command,
            "environment": {f"{spec.env_prefix}DATABASE_URL": database_url(spec.database)},
            "depends_on": {"postgres": {"condition": "service_healthy"}},
            "restart": "no",
            "healthcheck": {"disable": True},  # a job: its exit code is its health
            "logging": LOGGING,
        }
    return jobs


def process_service(
    spec: ServiceSpec, specs: Sequence[ServiceSpec], urls: Mapping[str, str], migrated: set[str]
) -> dict[str, Any]:
    if spec.package is None:
        raise ValueError(f"{spec.name}: the stack gives no `package` (its image)")
    depends: dict[str, dict[str, str]] = {}
    if spec.database:
        depends["postgres"] = {"condition": "service_healthy"}
        if spec.database in migrated:
            depends[f"migrate-{spec.database}"] = {"condition": "service_completed_successfully"}
    if spec.redis:
        depends["redis"] = {"condition": "service_healthy"}
    for value in stack_env(spec, specs).values():
        for upstream in re.findall(r"\{([a-z][a-z0-9-]*)\.url\}", value):
            depends[upstream] = {"condition": "service_healthy"}
    target = health_target(spec)
    service: dict[str, Any] = {
        "build": build(spec.package, spec.command, target),
        "command": list(spec.command),
        "restart": "unless-stopped",
        "environment": process_env(spec, specs, urls),
    }
    if spec.database and spec.package == "soundstream-recommender":
        service["volumes"] = ["recommender-data:/data"]  # run files shared by every worker
    if spec.name in PUBLIC_SERVICES and spec.port is not None:
        variable = f"SOUNDSTREAM_{spec.name.upper()}_PORT"
        service["ports"] = [f"${{{variable}:-{spec.port}}}:{spec.port}"]
    service["depends_on"] = depends
    service["healthcheck"] = healthcheck(target, "60s" if target == "celery" else "30s")
    if target == "celery":
        service["stop_grace_period"] = "2m"  # a warm shutdown lets running tasks finish
    service["logging"] = LOGGING
    return service


def infrastructure(specs: Sequence[ServiceSpec]) -> dict[str, dict[str, Any]]:
    databases = sorted({spec.database for spec in specs if spec.database})
    postgres_env = {"POSTGRES_PASSWORD": required("POSTGRES_PASSWORD")}
    postgres_env["SOUNDSTREAM_DATABASES"] = " ".join(databases)
    for database in databases:
        postgres_env[password_variable(database)] = required(password_variable(database))
    return {
        "postgres": {
            "image": POSTGRES_IMAGE,
            "restart": "unless-stopped",
            "environment": postgres_env,
            "volumes": [
                "postgres-data:/var/lib/postgresql/data",
                "./infra/postgres/init-databases.sh:/docker-entrypoint-initdb.d/10-databases.sh:ro",
            ],
            "healthcheck": {
                "test": ["CMD-SHELL", "pg_isready --username=postgres --dbname=postgres"],
                "interval": "5s",
                "timeout": "5s",
                "retries": 10,
                "start_period": "10s",
            },
            "logging": LOGGING,
        },
        "redis": {
            "image": REDIS_IMAGE,
            "command": ["redis-server", "--appendonly", "yes", "--save", "60 1"],
            "restart": "unless-stopped",
            "volumes": ["redis-data:/data"],
            "healthcheck": {
                "test": ["CMD", "redis-cli", "ping"],
                "interval": "5s",
                "timeout": "5s",
                "retries": 10,
                "start_period": "5s",
            },
            "logging": LOGGING,
        },
    }


def loader(specs: Sequence[ServiceSpec], migrated: set[str]) -> dict[str, Any]:
    """The one-shot data load (``soundstream-admin import``: idempotent, safe to re-run)."""
    env = {"SOUNDSTREAM_DATA_DIR": "/data"}
    prefixes = {spec.database: spec.env_prefix for spec in specs if spec.database}
    for database in LOADER_DATABASES:
        env[f"{prefixes[database]}DATABASE_URL"] = database_url(database)
        env[f"{prefixes[database]}REDIS_URL"] = REDIS_URL
    depends = {"redis": {"condition": "service_healthy"}}
    depends |= {
        f"migrate-{db}": {"condition": "service_completed_successfully"}
        for db in LOADER_DATABASES
        if db in migrated
    }
    return {
        "build": build(LOADER_PACKAGE, ["soundstream-admin", "import"], "redis:CATALOG_REDIS_URL"),
        "command": ["soundstream-admin", "import"],
        "environment": env,
        "volumes": ["loader-data:/data"],
        "depends_on": depends,
        "restart": "no",
        "healthcheck": {"disable": True},  # a job: its exit code is its health
        "logging": LOGGING,
    }


def compose_document(specs: Sequence[ServiceSpec]) -> dict[str, Any]:
    """The Compose file's content for the processes of ``specs``."""
    urls = compose_urls(specs)
    jobs = migration_jobs(specs)
    migrated = {name.removeprefix("migrate-") for name in jobs}
    services: dict[str, Any] = infrastructure(specs)
    services |= jobs
    services["load-data"] = loader(specs, migrated)
    services |= {spec.name: process_service(spec, specs, urls, migrated) for spec in specs}
    volumes: dict[str, dict[str, str]] = {
        name: {} for name in ("postgres-data", "redis-data", "recommender-data", "loader-data")
    }
    return {"name": "soundstream", "services": services, "volumes": volumes}


def render(specs: Sequence[ServiceSpec]) -> str:
    """The text of docker-compose.yml: a blank line between top-level sections and services."""
    document = compose_document(specs)
    services = "\n\n".join(
        "\n".join(to_yaml({name: body}, indent=1)) for name, body in document["services"].items()
    )
    sections = [
        f"name: {document['name']}",
        f"services:\n{services}",
        "\n".join(to_yaml({"volumes": document["volumes"]})),
    ]
    return HEADER + "\n" + "\n\n".join(sections) + "\n"
