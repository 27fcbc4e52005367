"""render.yaml: the Render Blueprint of the stack, generated from ``infra/stack.toml``.

Same processes, commands, images and settings as docker-compose.yml (see
:mod:`soundstream_admin.compose`), mapped onto Render's managed pieces: one managed PostgreSQL
per service database, a managed Key Value (Redis) instance, public web services for the
gateway and the dashboard, private services for the internal APIs, background workers for the
event consumers and Celery, and a cron job for the data loader. docs/deploy.md explains it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from soundstream_admin.compose import LOADER_DATABASES, PUBLIC_SERVICES, SAME_SECRET, stack_env
from soundstream_admin.stack import ServiceSpec, resolve_urls
from soundstream_admin.yaml_text import to_yaml
from soundstream_common.settings import SERVICE_TOKEN_VARIABLE

PREFIX = "soundstream-"
REGION = "frankfurt"
PLAN = "starter"
DATABASE_PLAN = "basic-256mb"
REDIS_NAME = f"{PREFIX}redis"
# The service token every internal call carries: generated once, shared by every process.
INTERNAL_GROUP = f"{PREFIX}internal"
LOADER_SCHEDULE = "0 4 * * 0"  # weekly; trigger it by hand once after the first deploy
GATEWAY_SCALING = {"minInstances": 2, "maxInstances": 6, "targetCPUPercent": 70}

HEADER = """\
# SoundStream Analytics — Render Blueprint (https://render.com/docs/blueprint-spec).
#
# GENERATED from infra/stack.toml by `soundstream-admin compose`; do not edit by hand (a test
# fails when it drifts). Secrets marked `sync: false` are asked for when the Blueprint is
# created. Scaling, backups and the first data load: docs/deploy.md.
"""


def database_name(database: str) -> str:
    return f"{PREFIX}{database}-db"


def internal_urls(specs: Sequence[ServiceSpec]) -> dict[str, str]:
    """Each HTTP service's address on Render's private network (its name and port)."""
    return {spec.name: f"http://{PREFIX}{spec.name}:{spec.port}" for spec in specs if spec.port}


def redis_url() -> dict[str, Any]:
    return {"fromService": {"type": "keyvalue", "name": REDIS_NAME, "property": "connectionString"}}


def database_url(database: str) -> dict[str, Any]:
    return {"fromDatabase": {"name": database_name(database), "property": "connectionString"}}


def env_vars(spec: ServiceSpec, specs: Sequence[ServiceSpec]) -> list[dict[str, Any]]:
    prefix = spec.env_prefix
    assert spec.package is not None
    out: list[dict[str, Any]] = [{"key": "PACKAGE", "value": spec.package}]  # the image
    if spec.extra:
        out.append({"key": "EXTRA", "value": spec.extra})  # the package's extra it installs
    if spec.port is not None:
        out += [
            {"key": f"{prefix}HOST", "value": "0.0.0.0"},
            {"key": f"{prefix}PORT", "value": str(spec.port)},
        ]
    if spec.database:
        out.append({"key": f"{prefix}DATABASE_URL", **database_url(spec.database)})
        out.append({"key": f"{prefix}LOG_JSON", "value": "true"})
    if spec.redis:
        out.append({"key": f"{prefix}REDIS_URL", **redis_url()})
    urls = internal_urls(specs)
    out += [
        {"key": key, "value": resolve_urls(value, urls)}
        for key, value in stack_env(spec, specs).items()
    ]
    for name in spec.secrets:
        if name == SERVICE_TOKEN_VARIABLE:
            out.append({"fromGroup": INTERNAL_GROUP})
            continue
        if name in SAME_SECRET:  # held by another process, which has it generated
            owner = next(s for s in specs if SAME_SECRET[name] in s.secrets)
            source = {"type": service_type(owner), "name": f"{PREFIX}{owner.name}"}
            out.append({"key": name, "fromService": source | {"envVarKey": SAME_SECRET[name]}})
            continue
        # A random value nobody needs to know: the key-hash secret, the dashboard's key.
        generated = name.endswith("_SECRET") or name in SAME_SECRET.values()
        out.append(
            {"key": name, "generateValue": True} if generated else {"key": name, "sync": False}
        )
    return out


def service_type(spec: ServiceSpec) -> str:
    if spec.name in PUBLIC_SERVICES:
        return "web"
    return "pserv" if spec.port is not None else "worker"


def process(spec: ServiceSpec, specs: Sequence[ServiceSpec]) -> dict[str, Any]:
    kind = service_type(spec)
    entry: dict[str, Any] = {
        "type": kind,
        "name": f"{PREFIX}{spec.name}",
        "runtime": "docker",
        "region": REGION,
        "plan": PLAN,
        "dockerfilePath": "./Dockerfile",
        "dockerContext": ".",
        "dockerCommand": " ".join(spec.command),
    }
    if kind == "web":
        entry["healthCheckPath"] = spec.ready
    if spec.migrations and spec.settings:
        entry["preDeployCommand"] = (
            f"python /app/bin/migrate.py --settings {spec.settings} --migrations {spec.migrations}"
        )
    if spec.name == "gateway":
        entry["scaling"] = GATEWAY_SCALING
    else:
        entry["numInstances"] = 1
    if spec.healthcheck == "celery":  # the pipeline's run files live on the worker's disk
        entry["disk"] = {"name": "recommender-data", "mountPath": "/data", "sizeGB": 10}
    entry["envVars"] = env_vars(spec, specs)
    return entry


def loader(specs: Sequence[ServiceSpec]) -> dict[str, Any]:
    prefixes = {spec.database: spec.env_prefix for spec in specs if spec.database}
    env: list[dict[str, Any]] = [
        {"key": "PACKAGE", "value": "soundstream-admin"},
        {"fromGroup": INTERNAL_GROUP},
    ]
    for database in LOADER_DATABASES:
        env.append({"key": f"{prefixes[database]}DATABASE_URL", **database_url(database)})
        env.append({"key": f"{prefixes[database]}REDIS_URL", **redis_url()})
    return {
        "type": "cron",
        "name": f"{PREFIX}load-data",
        "runtime": "docker",
        "region": REGION,
        "plan": PLAN,
        "schedule": LOADER_SCHEDULE,
        "dockerfilePath": "./Dockerfile",
        "dockerContext": ".",
        "dockerCommand": "soundstream-admin import",
        "envVars": env,
    }


def blueprint_document(specs: Sequence[ServiceSpec]) -> dict[str, Any]:
    services: list[dict[str, Any]] = [
        {
            "type": "keyvalue",
            "name": REDIS_NAME,
            "region": REGION,
            "plan": PLAN,
            "maxmemoryPolicy": "noeviction",  # a broker and event streams must not lose keys
            "ipAllowList": [],  # private network only
        }
    ]
    services += [process(spec, specs) for spec in specs]
    services.append(loader(specs))
    databases = [
        {
            "name": database_name(database),
            "databaseName": database,
            "user": database,
            "region": REGION,
            "plan": DATABASE_PLAN,
            "ipAllowList": [],
        }
        for database in sorted({spec.database for spec in specs if spec.database})
    ]
    groups = [
        {
            "name": INTERNAL_GROUP,
            "envVars": [{"key": SERVICE_TOKEN_VARIABLE, "generateValue": True}],
        }
    ]
    return {"services": services, "databases": databases, "envVarGroups": groups}


def render_blueprint(specs: Sequence[ServiceSpec]) -> str:
    document = blueprint_document(specs)
    body = "\n\n".join("\n".join(to_yaml({key: value})) for key, value in document.items())
    return HEADER + "\n" + body + "\n"
