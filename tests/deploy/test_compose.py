"""The Compose deployment, checked without a Docker engine: the file is the stack file's
rendering, it follows the Compose Specification's schema, every image can be built from this
repository, every process is health-checked, and every setting a container needs is given."""

from __future__ import annotations

import json
import re
import secrets
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
import yaml
from pydantic import AliasChoices

from soundstream_admin.blueprint import blueprint_document, render_blueprint
from soundstream_admin.compose import PUBLIC_SERVICES, compose_document, render
from soundstream_admin.stack import ServiceSpec, find_stack_file, load_stack
from soundstream_admin.yaml_text import to_yaml
from soundstream_common.secret_rules import PLACEHOLDER_SECRETS

from .needed import needed_settings

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "docker-compose.yml"
DEV_FILE = REPO / "compose.dev.yml"
ENV_EXAMPLE = REPO / ".env.example"
SCHEMA = json.loads((REPO / "infra" / "compose-spec" / "compose-spec.json").read_text())
STACK = load_stack(find_stack_file())
VARIABLE = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)(?::?[-?][^}]*)?\}")


def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(COMPOSE_FILE.read_text())
    return document


def services() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = compose()["services"]
    return found


def env_example() -> dict[str, str]:
    values = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def filled_env() -> dict[str, str]:
    """.env.example as an operator fills it: every placeholder replaced by a generated value."""
    return {
        key: secrets.token_hex(32) if value in PLACEHOLDER_SECRETS else value
        for key, value in env_example().items()
    }


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's ``${VAR}``, ``${VAR:-default}`` and ``${VAR:?error}`` against ``env``."""

    def replace(match: re.Match[str]) -> str:
        text = match.group(0)
        name = match.group(1)
        if name in env:
            return env[name]
        if ":-" in text:
            return text[text.index(":-") + 2 : -1]
        raise AssertionError(f"{name} is required by the compose file but not in .env.example")

    return VARIABLE.sub(replace, value)


def is_job(service: dict[str, Any]) -> bool:
    return service.get("restart") == "no"


def test_compose_file_and_blueprint_are_the_renderings_of_the_stack_file() -> None:
    regenerate = "drifted from infra/stack.toml: run `soundstream-admin compose`"
    assert COMPOSE_FILE.read_text() == render(STACK), f"docker-compose.yml {regenerate}"
    assert (REPO / "render.yaml").read_text() == render_blueprint(STACK), (
        f"render.yaml {regenerate}"
    )


@pytest.mark.parametrize("path", [COMPOSE_FILE, DEV_FILE], ids=lambda p: p.name)
def test_compose_files_follow_the_compose_specification(path: Path) -> None:
    validator = jsonschema.Draft202012Validator(SCHEMA)
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(yaml.safe_load(path.read_text()))
    ]
    assert errors == []


def test_the_schema_check_catches_a_broken_compose_file() -> None:
    broken = compose()
    broken["services"]["catalog"]["depends_on"]["postgres"]["condition"] = "service_up"
    broken["services"]["catalog"]["restart"] = 3
    validator = jsonschema.Draft202012Validator(SCHEMA)
    assert len(list(validator.iter_errors(broken))) >= 2


def test_every_stack_process_runs_in_compose_with_its_command_and_port() -> None:
    found = services()
    for spec in STACK:
        service = found[spec.name]
        assert service["command"] == list(spec.command)
        if spec.port is not None:
            assert service["environment"][f"{spec.env_prefix}PORT"] == str(spec.port)
            assert service["environment"][f"{spec.env_prefix}HOST"] == "0.0.0.0"


def test_every_build_context_dockerfile_package_and_extra_exists() -> None:
    members = {
        tomlish_name(path): tomlish_extras(path)
        for path in [*REPO.glob("services/*/pyproject.toml"), REPO / "sdk" / "pyproject.toml"]
    }
    built = {name: s for name, s in services().items() if "build" in s}
    assert built, "no service is built from this repository"
    for name, service in built.items():
        context = (REPO / service["build"]["context"]).resolve()
        assert context.is_dir(), name
        assert (context / service["build"].get("dockerfile", "Dockerfile")).is_file(), name
        args = service["build"]["args"]
        assert args["PACKAGE"] in members, name
        if "EXTRA" in args:
            assert args["EXTRA"] in members[args["PACKAGE"]], name
            assert "ARG EXTRA" in (REPO / "Dockerfile").read_text(), "the Dockerfile ignores EXTRA"


def tomlish_name(pyproject: Path) -> str:
    import tomllib

    return str(tomllib.loads(pyproject.read_text())["project"]["name"])


def tomlish_extras(pyproject: Path) -> set[str]:
    import tomllib

    project = tomllib.loads(pyproject.read_text())["project"]
    return set(project.get("optional-dependencies", {}))


def test_every_long_running_service_has_a_healthcheck_and_jobs_are_awaited() -> None:
    found = services()
    awaited = {
        upstream
        for service in found.values()
        for upstream, how in service.get("depends_on", {}).items()
        if how["condition"] == "service_completed_successfully"
    }
    for name, service in found.items():
        if is_job(service):
            assert service["healthcheck"] == {"disable": True}, name
            assert name in awaited or name == "load-data", f"{name} runs but nothing waits for it"
        else:
            assert service["healthcheck"]["test"], name
            assert service["restart"] in ("always", "unless-stopped", "on-failure"), name


def test_dependencies_exist_and_wait_for_health_or_completion() -> None:
    found = services()
    for name, service in found.items():
        for upstream, how in service.get("depends_on", {}).items():
            assert upstream in found, f"{name} depends on unknown {upstream}"
            expected = (
                "service_completed_successfully" if is_job(found[upstream]) else "service_healthy"
            )
            assert how["condition"] == expected, f"{name} -> {upstream}"


def test_only_the_gateway_and_the_dashboard_publish_ports() -> None:
    """... to the world; the observability profile's tools only on the host's loopback."""
    found = services()
    published = {name for name, service in found.items() if service.get("ports")}
    tools = {
        name for name, service in found.items() if "observability" in service.get("profiles", [])
    }
    assert tools == {"prometheus", "grafana", "flower"}
    assert published == set(PUBLIC_SERVICES) | tools
    for name in tools:
        assert all(port.startswith("127.0.0.1:") for port in found[name]["ports"]), name


def test_internal_services_redis_and_postgresql_are_on_a_private_network_only() -> None:
    document = compose()
    assert document["networks"]["private"] == {"internal": True}
    on_public = {
        name for name, service in document["services"].items() if "public" in service["networks"]
    }
    # The loader may download the data set; it publishes nothing. The observability profile's
    # tools publish their ports on the host's loopback (a container on an internal network
    # alone cannot publish any).
    assert on_public == {"gateway", "dashboard", "load-data", "prometheus", "grafana", "flower"}
    for name, service in document["services"].items():
        if name != "dashboard":
            assert "private" in service["networks"], name
    assert document["services"]["dashboard"]["networks"] == ["public"]


def test_redis_wants_a_password_and_every_client_gives_it() -> None:
    found = services()
    redis = found["redis"]
    assert "--requirepass" in redis["command"]
    assert redis["environment"]["REDISCLI_AUTH"].startswith("${REDIS_PASSWORD:?")
    for name, service in found.items():
        for key, value in service.get("environment", {}).items():
            if key.endswith("REDIS_URL"):
                assert value.startswith("redis://:${REDIS_PASSWORD:?"), f"{name}: {key}"


def test_every_process_of_the_services_holds_the_service_token() -> None:
    found = services()
    holders = {
        name for name, s in found.items() if "SOUNDSTREAM_SERVICE_TOKEN" in s.get("environment", {})
    }
    expected = {spec.name for spec in STACK if spec.database} | {"load-data"}
    expected |= {name for name in found if name.startswith("migrate-")}
    assert holders == expected


def test_the_development_additions_are_opt_in() -> None:
    """`docker compose up` merges compose.override.yml by itself: none may exist, and the
    README's deployment command is the production one."""
    assert not (REPO / "compose.override.yml").exists()
    assert not (REPO / "compose.override.yaml").exists()
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "docker compose -f docker-compose.yml -f compose.dev.yml" in readme
    assert "compose.override" not in readme


def test_volumes_are_named_and_declared() -> None:
    document = compose()
    for name, service in document["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if not source.startswith((".", "/")):
                assert source in document["volumes"], f"{name}: undeclared volume {source}"


def test_every_compose_variable_is_documented_in_env_example_and_none_is_stale() -> None:
    used = set()
    for path in (COMPOSE_FILE, DEV_FILE):
        used |= set(VARIABLE.findall(path.read_text()))
    documented = set(env_example())
    assert used - documented == set(), "used by compose, missing from .env.example"
    assert documented - used == set(), "in .env.example, used by no compose file"


@pytest.mark.parametrize("spec", STACK, ids=lambda s: s.name)
def test_every_setting_a_container_needs_is_provided(spec: ServiceSpec) -> None:
    raw_env = services()[spec.name]["environment"]
    env = {key: interpolate(str(value), filled_env()) for key, value in raw_env.items()}

    assert needed_settings(spec) - set(env) == set(), f"{spec.name}: missing in compose"
    cls = spec.settings_class()
    shared = {  # settings every service reads under one name (the service token)
        str(info.validation_alias.choices[0]): name
        for name, info in cls.model_fields.items()
        if isinstance(info.validation_alias, AliasChoices)
    }
    values = {
        key.removeprefix(spec.env_prefix).lower(): value
        for key, value in env.items()
        if key.startswith(spec.env_prefix)
    }
    values |= {shared[key]: value for key, value in env.items() if key in shared}
    # As deployed: production, whose rules the filled-in secrets pass.
    settings = cls.model_validate({**values, "environment": "production"})
    if spec.database:
        assert str(settings.database_url).startswith("postgresql+psycopg://")


def docker_compose_cli() -> list[str] | None:
    """A Docker Compose CLI (it validates a file fully without an engine), if installed."""
    docker = shutil.which("docker")
    if (
        docker
        and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0
    ):
        return [docker, "compose"]
    standalone = shutil.which("docker-compose")
    return [standalone] if standalone else None


def test_docker_compose_itself_accepts_the_files() -> None:
    cli = docker_compose_cli()
    if cli is None:
        pytest.skip("no Docker Compose CLI installed: the schema check above stands in for it")
    result = subprocess.run(
        [*cli, "--env-file", str(ENV_EXAMPLE), "config", "--quiet"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_the_generated_yaml_says_exactly_what_the_generator_meant() -> None:
    assert yaml.safe_load(render(STACK)) == compose_document(STACK)
    assert yaml.safe_load(render_blueprint(STACK)) == blueprint_document(STACK)
    tricky = {"a": ["yes", "8001", "0.0.0.0", "a: b", "${X:-1}", "#x", "", "null", True, 3]}
    assert yaml.safe_load("\n".join(to_yaml(tricky))) == tricky


def test_stack_urls_become_service_names_on_the_compose_network() -> None:
    gateway = services()["gateway"]
    assert gateway["environment"]["GATEWAY_CATALOG_URL"] == "http://catalog:8001"
    assert gateway["depends_on"]["catalog"] == {"condition": "service_healthy"}


@pytest.mark.parametrize(
    ("password", "starts"),
    [("", False), ("admin", False), ("short-password", False), (secrets.token_hex(16), True)],
)
def test_grafana_starts_only_with_a_real_admin_password(
    tmp_path: Path, password: str, starts: bool
) -> None:
    """Grafana's own default is admin/admin: its container refuses to start without a password
    of 16 characters or more, and says which variable to set (the entrypoint's shell script,
    run here as the container's ``/bin/sh`` would run it)."""
    entrypoint = services()["grafana"]["entrypoint"]
    assert entrypoint[:2] == ["/bin/sh", "-c"]
    image_entrypoint = tmp_path / "run.sh"
    image_entrypoint.write_text("#!/bin/sh\necho grafana is running\n")
    image_entrypoint.chmod(0o755)
    script = entrypoint[2].replace("$$", "$").replace("/run.sh", str(image_entrypoint))
    done = subprocess.run(
        ["/bin/sh", "-c", script],
        env={"GF_SECURITY_ADMIN_PASSWORD": password, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode == 0) is starts, done
    if starts:
        assert done.stdout == "grafana is running\n"
    else:
        assert "set GRAFANA_ADMIN_PASSWORD in .env" in done.stderr
    assert "GRAFANA_ADMIN_PASSWORD" in env_example()
