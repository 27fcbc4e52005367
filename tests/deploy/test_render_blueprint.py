"""The Render blueprint (``render.yaml``): every stack process from its image, with every
setting it needs (the same rule as the Compose file's, :func:`needed_settings`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from soundstream_admin.compose import PUBLIC_SERVICES
from soundstream_admin.stack import ServiceSpec, find_stack_file, load_stack

from .needed import needed_settings

REPO = Path(__file__).resolve().parents[2]
STACK = load_stack(find_stack_file())


def blueprint_env(blueprint: dict[str, Any], service: dict[str, Any]) -> dict[str, Any]:
    """A Render service's variables by name, its environment groups' included."""
    env = {var["key"]: var for var in service["envVars"] if "key" in var}
    groups = {var["fromGroup"] for var in service["envVars"] if "fromGroup" in var}
    for group in blueprint["envVarGroups"]:
        if group["name"] in groups:
            env |= {var["key"]: var for var in group["envVars"]}
    return env


def test_the_blueprint_runs_every_stack_process_from_its_image_with_its_settings() -> None:
    blueprint = yaml.safe_load((REPO / "render.yaml").read_text())
    by_name = {service["name"]: service for service in blueprint["services"]}
    databases = {database["name"] for database in blueprint["databases"]}
    for spec in STACK:
        service = by_name[f"soundstream-{spec.name}"]
        env = blueprint_env(blueprint, service)
        assert service["dockerCommand"] == " ".join(spec.command)
        assert env["PACKAGE"]["value"] == spec.package
        if spec.database:
            source = env[f"{spec.env_prefix}DATABASE_URL"]["fromDatabase"]["name"]
            assert source in databases
        for secret in spec.secrets:
            given = env[secret]
            assert given.get("sync") is False or given.get("generateValue") or given["fromService"]
    public = {s["name"] for s in blueprint["services"] if s["type"] == "web"}
    assert public == {f"soundstream-{name}" for name in PUBLIC_SERVICES}


@pytest.mark.parametrize("spec", STACK, ids=lambda s: s.name)
def test_every_setting_a_render_service_needs_is_provided(spec: ServiceSpec) -> None:
    blueprint = yaml.safe_load((REPO / "render.yaml").read_text())
    [service] = [s for s in blueprint["services"] if s["name"] == f"soundstream-{spec.name}"]
    given = set(blueprint_env(blueprint, service))

    assert needed_settings(spec) - given == set(), f"{spec.name}: missing in render.yaml"
