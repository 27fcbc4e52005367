"""Each process's Settings class agrees with ``infra/stack.toml``, the one definition of how the
services run: it reads the variables the stack gives it (``CATALOG_*`` for the catalog's
processes), listens by default on the stack's port, and by default finds each upstream where
the stack runs it. A service started by hand, without the runner, is then wired as the stack."""

from __future__ import annotations

from pathlib import Path

import pytest

from soundstream_admin.stack import SERVICE_URL, ServiceSpec, find_stack_file, load_stack
from soundstream_common.settings import ENVIRONMENT_VARIABLE

STACK = load_stack(find_stack_file())
PORTS = {spec.name: spec.port for spec in STACK if spec.port is not None}


def name(spec: ServiceSpec) -> str:
    return spec.name


@pytest.mark.parametrize("spec", STACK, ids=name)
def test_settings_read_the_variables_the_stack_gives(
    spec: ServiceSpec, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env file of the checkout
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, "development")
    monkeypatch.setenv(f"{spec.env_prefix}HOST", "192.0.2.7")

    assert spec.settings_class()().host == "192.0.2.7"


@pytest.mark.parametrize("spec", [spec for spec in STACK if spec.port is not None], ids=name)
def test_a_service_listens_by_default_on_its_stack_port(spec: ServiceSpec) -> None:
    assert spec.settings_class().model_fields["port"].get_default() == spec.port


@pytest.mark.parametrize("spec", [spec for spec in STACK if spec.env], ids=name)
def test_a_service_finds_its_upstreams_by_default_where_the_stack_runs_them(
    spec: ServiceSpec,
) -> None:
    fields = spec.settings_class().model_fields
    defaults = {}
    expected = {}
    for variable, value in spec.env.items():
        if (upstream := SERVICE_URL.fullmatch(value)) is not None:
            field = variable.removeprefix(spec.env_prefix).lower()
            defaults[variable] = fields[field].get_default()
            expected[variable] = f"http://127.0.0.1:{PORTS[upstream.group(1)]}"

    assert expected
    assert defaults == expected
