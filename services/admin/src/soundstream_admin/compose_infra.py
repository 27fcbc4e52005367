"""The Compose file's shared plumbing and the containers that are not the stack's own
processes: networks, required ``.env`` variables, database and Redis addresses, logging;
PostgreSQL, Redis, and Prometheus, Grafana and Flower under the ``observability`` profile.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from soundstream_admin.base_images import default_images
from soundstream_admin.stack import ServiceSpec

REDIS_PASSWORD = "REDIS_PASSWORD"
PRIVATE, PUBLIC = "private", "public"
NETWORKS: dict[str, dict[str, Any]] = {
    PRIVATE: {"internal": True},  # no route out, nothing published from it
    PUBLIC: {},
}
# Processes on a network besides the private one: the public ones, and the data loader.
EXTRA_NETWORKS = {
    "gateway": [PRIVATE, PUBLIC],
    "dashboard": [PUBLIC],
    "load-data": [PRIVATE, PUBLIC],
}
LOGGING = {"driver": "json-file", "options": {"max-size": "10m", "max-file": "5"}}
# The `observability` profile (docs/observability.md): off unless asked for.
OBSERVABILITY = "observability"
BROKER_URL = "redis://redis:6379/1"  # the recommender's default broker: Redis database 1
# Grafana's entrypoint: refuse to start (exit 1, saying why) without an admin password of at
# least GRAFANA_MIN_PASSWORD characters, then run the image's own entrypoint. `$$` is
# Compose's escape for a `$` the container's shell reads.
GRAFANA_MIN_PASSWORD = 16
GRAFANA_PASSWORD_CHECK = (
    f'if [ "$${{#GF_SECURITY_ADMIN_PASSWORD}}" -lt {GRAFANA_MIN_PASSWORD} ] '
    '|| [ "$$GF_SECURITY_ADMIN_PASSWORD" = admin ]; then '
    f"echo 'grafana: set GRAFANA_ADMIN_PASSWORD in .env (at least {GRAFANA_MIN_PASSWORD} "
    "characters; make one with: openssl rand -hex 16)' >&2; exit 1; fi; exec /run.sh"
)


def password_variable(database: str) -> str:
    return f"{database.upper()}_DB_PASSWORD"


def required(variable: str) -> str:
    """A ``.env`` variable the deployment cannot run without."""
    return f"${{{variable}:?set {variable} in .env (see .env.example)}}"


REDIS_URL = f"redis://:{required(REDIS_PASSWORD)}@redis:6379/0"


def networks(name: str) -> list[str]:
    return EXTRA_NETWORKS.get(name, [PRIVATE])


def database_url(database: str) -> str:
    return (
        f"postgresql://{database}:{required(password_variable(database))}@postgres:5432/{database}"
    )


def infrastructure(specs: Sequence[ServiceSpec]) -> dict[str, dict[str, Any]]:
    images = default_images()  # pinned by digest in infra/base-images.toml
    databases = sorted({spec.database for spec in specs if spec.database})
    postgres_env = {"POSTGRES_PASSWORD": required("POSTGRES_PASSWORD")}
    postgres_env["SOUNDSTREAM_DATABASES"] = " ".join(databases)
    for database in databases:
        postgres_env[password_variable(database)] = required(password_variable(database))
    return {
        "postgres": {
            "image": images["postgres"].pinned,
            "restart": "unless-stopped",
            "environment": postgres_env,
            "networks": networks("postgres"),
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
            "image": images["redis"].pinned,
            "command": [
                "redis-server",
                "--appendonly",
                "yes",
                "--save",
                "60 1",
                "--requirepass",
                required(REDIS_PASSWORD),
            ],
            "restart": "unless-stopped",
            # redis-cli (the healthcheck) reads the password from here.
            "environment": {"REDISCLI_AUTH": required(REDIS_PASSWORD)},
            "networks": networks("redis"),
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


def _http_check(command: str) -> dict[str, Any]:
    return {
        "test": ["CMD-SHELL", command],
        "interval": "15s",
        "timeout": "5s",
        "retries": 5,
        "start_period": "20s",
    }


def observability() -> dict[str, dict[str, Any]]:
    """Prometheus, Grafana (with its dashboard) and Flower, under the `observability` profile.

    Their ports are published on the host's loopback only: reach them from the host, or
    through an SSH tunnel.
    """
    images = default_images()  # pinned by digest in infra/base-images.toml
    return {
        "prometheus": {
            "image": images["prometheus"].pinned,
            "profiles": [OBSERVABILITY],
            # private: to reach the services and Redis; public: to publish its port
            "networks": ["private", "public"],
            "restart": "unless-stopped",
            "volumes": [
                "./infra/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro",
                "prometheus-data:/prometheus",
            ],
            "secrets": ["metrics-token"],
            "ports": ["127.0.0.1:${SOUNDSTREAM_PROMETHEUS_PORT:-9090}:9090"],
            "healthcheck": _http_check("wget -q -O /dev/null http://127.0.0.1:9090/-/ready"),
            "logging": LOGGING,
        },
        "grafana": {
            "image": images["grafana"].pinned,
            "profiles": [OBSERVABILITY],
            # private: to reach the services and Redis; public: to publish its port
            "networks": ["private", "public"],
            "restart": "unless-stopped",
            # Secure by default: no Grafana with its shipped admin/admin or a short password.
            "entrypoint": ["/bin/sh", "-c", GRAFANA_PASSWORD_CHECK],
            "environment": {
                "GF_SECURITY_ADMIN_PASSWORD": "${GRAFANA_ADMIN_PASSWORD:-}",
                "GF_USERS_ALLOW_SIGN_UP": "false",
                "GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH": (
                    "/var/lib/grafana/dashboards/soundstream.json"
                ),
            },
            "volumes": [
                "./infra/grafana/provisioning:/etc/grafana/provisioning:ro",
                "./infra/grafana/dashboards:/var/lib/grafana/dashboards:ro",
                "grafana-data:/var/lib/grafana",
            ],
            "depends_on": {"prometheus": {"condition": "service_healthy"}},
            "ports": ["127.0.0.1:${SOUNDSTREAM_GRAFANA_PORT:-3000}:3000"],
            "healthcheck": _http_check("wget -q -O /dev/null http://127.0.0.1:3000/api/health"),
            "logging": LOGGING,
        },
        "flower": {
            "image": images["flower"].pinned,
            "profiles": [OBSERVABILITY],
            # private: to reach the services and Redis; public: to publish its port
            "networks": ["private", "public"],
            "restart": "unless-stopped",
            "command": ["celery", f"--broker={BROKER_URL}", "flower", "--port=5555"],
            "depends_on": {"redis": {"condition": "service_healthy"}},
            "ports": ["127.0.0.1:${SOUNDSTREAM_FLOWER_PORT:-5555}:5555"],
            "healthcheck": _http_check(
                'python -c "import urllib.request; '
                "urllib.request.urlopen('http://127.0.0.1:5555/healthcheck')\""
            ),
            "logging": LOGGING,
        },
    }
