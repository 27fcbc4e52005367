"""``soundstream-admin compose``: docker-compose.yml, generated from ``infra/stack.toml``.

The stack file is the one definition of every process (command, port, environment); the local
runner reads it and this module renders the Compose file from it, so the two cannot drift (a
test compares the committed file with a fresh rendering). What only a container deployment has
lives here: one migration step per service database, the one-shot data loader, volumes, health
checks and restart policies; PostgreSQL (one database and role per service), Redis and the
observability profile are in :mod:`soundstream_admin.compose_infra`.

Networks: the internal services, their workers, PostgreSQL and Redis (with a password) share a
``private`` network without a way out; only the gateway (on both) and the dashboard (public
only: it talks to the gateway) are on the ``public`` one and publish ports. The data loader
is on both: it may download the data set.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from soundstream_admin.compose_infra import (
    LOGGING,
    NETWORKS,
    REDIS_URL,
    database_url,
    infrastructure,
    networks,
    observability,
    required,
)
from soundstream_admin.stack import ServiceSpec, resolve_urls
from soundstream_admin.yaml_text import to_yaml
from soundstream_common.settings import SERVICE_TOKEN_VARIABLE

PUBLIC_SERVICES = ("gateway", "dashboard")  # the only ones publishing a port on the host
# The databases ``soundstream-admin import`` writes or reads (soundstream_admin.services).
LOADER_DATABASES = ("catalog", "listening", "recommender")
LOADER_PACKAGE = "soundstream-admin"
METRICS_TOKEN = "SOUNDSTREAM_METRICS_TOKEN"

HEADER = """\
# SoundStream Analytics — the whole stack in containers: `docker compose up -d`.
#
# GENERATED from infra/stack.toml by `soundstream-admin compose`; do not edit by hand (a test
# fails when this file and the stack file disagree). Change a process in infra/stack.toml, the
# container plumbing in services/admin/src/soundstream_admin/compose.py, then regenerate.
# Settings come from .env (copy .env.example and replace every change-me value: the services
# refuse to start with them). This file alone is the production deployment. Development
# additions (internal ports on 127.0.0.1, readable logs, watch) are opt-in:
# `docker compose -f docker-compose.yml -f compose.dev.yml up -d`. Guide: docs/deploy.md.
"""


# A container setting holding the same secret as another process's: the one .env variable.
SAME_SECRET = {"GATEWAY_DASHBOARD_API_KEY": "DASHBOARD_API_KEY"}


def secret(name: str) -> str:
    """A secret setting's value: its ``.env`` variable (shared ones read one variable)."""
    return required(SAME_SECRET.get(name, name))


def compose_urls(specs: Sequence[ServiceSpec]) -> dict[str, str]:
    """Each HTTP service's base URL on the Compose network (its name and its own port)."""
    return {spec.name: f"http://{spec.name}:{spec.port}" for spec in specs if spec.port}


def build(
    package: str, command: Sequence[str], healthcheck: str, extra: str | None = None
) -> dict[str, Any]:
    args = {"PACKAGE": package}
    if extra:
        args["EXTRA"] = extra  # the package's extra the image installs too
    args |= {"COMMAND": " ".join(command), "HEALTHCHECK": healthcheck}
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
    if spec.port is not None or spec.metrics_port is not None:
        env[f"{prefix}HOST"] = "0.0.0.0"
    if spec.port is not None:
        env[f"{prefix}PORT"] = str(spec.port)
    if spec.metrics_port is not None:
        env[f"{prefix}WORKER_METRICS_PORT"] = str(spec.metrics_port)
    if spec.database:
        # Empty (the default): /metrics is off. Set in .env for Prometheus to read it.
        env[f"{prefix}METRICS_TOKEN"] = f"${{{METRICS_TOKEN}:-}}"
        env[f"{prefix}DATABASE_URL"] = database_url(spec.database)
        env[f"{prefix}LOG_JSON"] = "true"
        env[f"{prefix}LOG_LEVEL"] = f"${{{prefix}LOG_LEVEL:-INFO}}"
    if spec.redis:
        env[f"{prefix}REDIS_URL"] = REDIS_URL
    env |= {key: resolve_urls(value, urls) for key, value in stack_env(spec, specs).items()}
    env |= {name: secret(name) for name in spec.secrets}
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
            "build": build(spec.package, spec.command, health_target(spec), spec.extra),
            "command": command,
            # The service's own settings are checked (its secrets too) before it migrates.
            "environment": {f"{spec.env_prefix}DATABASE_URL": database_url(spec.database)}
            | {name: secret(name) for name in spec.secrets},
            "networks": networks(f"migrate-{spec.database}"),
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
        "build": build(spec.package, spec.command, target, spec.extra),
        "command": list(spec.command),
        "restart": "unless-stopped",
        "environment": process_env(spec, specs, urls),
        "networks": networks(spec.name),
    }
    if spec.database and spec.package == "soundstream-recommender":
        service["volumes"] = ["recommender-data:/data"]  # run files shared by every worker
    if spec.package == "soundstream-analytics":
        # The DuckDB warehouse, the Parquet exports and the quality reports.
        service["environment"][f"{spec.env_prefix}DATA_DIR"] = "/data"
        service["volumes"] = ["analytics-data:/data"]
    if spec.name in PUBLIC_SERVICES and spec.port is not None:
        variable = f"SOUNDSTREAM_{spec.name.upper()}_PORT"
        service["ports"] = [f"${{{variable}:-{spec.port}}}:{spec.port}"]
    service["depends_on"] = depends
    worker = target.startswith("celery")
    service["healthcheck"] = healthcheck(target, "60s" if worker else "30s")
    if worker:
        service["stop_grace_period"] = "2m"  # a warm shutdown lets running tasks finish
    service["logging"] = LOGGING
    return service


def loader(specs: Sequence[ServiceSpec], migrated: set[str]) -> dict[str, Any]:
    """The one-shot data load (``soundstream-admin import``: idempotent, safe to re-run)."""
    env = {
        "SOUNDSTREAM_DATA_DIR": "/data",
        SERVICE_TOKEN_VARIABLE: required(SERVICE_TOKEN_VARIABLE),
    }
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
        "networks": networks("load-data"),
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
    services |= observability()
    volumes: dict[str, dict[str, str]] = {
        name: {}
        for name in (
            "postgres-data",
            "redis-data",
            "recommender-data",
            "analytics-data",
            "loader-data",
            "prometheus-data",
            "grafana-data",
        )
    }
    secrets = {"metrics-token": {"environment": METRICS_TOKEN}}
    return {
        "name": "soundstream",
        "services": services,
        "networks": NETWORKS,
        "volumes": volumes,
        "secrets": secrets,
    }


def render(specs: Sequence[ServiceSpec]) -> str:
    """The text of docker-compose.yml: a blank line between top-level sections and services."""
    document = compose_document(specs)
    services = "\n\n".join(
        "\n".join(to_yaml({name: body}, indent=1)) for name, body in document["services"].items()
    )
    sections = [
        f"name: {document['name']}",
        f"services:\n{services}",
        "\n".join(to_yaml({"networks": document["networks"]})),
        "\n".join(to_yaml({"volumes": document["volumes"]})),
        "\n".join(to_yaml({"secrets": document["secrets"]})),
    ]
    return HEADER + "\n" + "\n\n".join(sections) + "\n"
