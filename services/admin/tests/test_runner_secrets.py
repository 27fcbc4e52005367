"""``make dev`` runs in development mode with secrets of its own, made for each run."""

from __future__ import annotations

from pathlib import Path

import pytest

from soundstream_admin.runner import StackRunner
from soundstream_admin.stack import find_stack_file, load_stack
from soundstream_common.secret_rules import secret_problem


def runner(tmp_path: Path) -> StackRunner:
    return StackRunner(load_stack(find_stack_file()), tmp_path)


def test_each_run_makes_its_own_service_token_and_admin_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOUNDSTREAM_SERVICE_TOKEN", raising=False)
    monkeypatch.delenv("GATEWAY_ADMIN_API_KEY", raising=False)
    monkeypatch.delenv("SOUNDSTREAM_ENVIRONMENT", raising=False)

    first, second = runner(tmp_path).base_env(), runner(tmp_path).base_env()

    assert first["SOUNDSTREAM_ENVIRONMENT"] == "development"
    assert secret_problem(first["SOUNDSTREAM_SERVICE_TOKEN"]) is None  # production-grade
    assert first["SOUNDSTREAM_SERVICE_TOKEN"] != second["SOUNDSTREAM_SERVICE_TOKEN"]
    assert first["GATEWAY_ADMIN_API_KEY"] != second["GATEWAY_ADMIN_API_KEY"]


def test_the_operators_own_token_and_environment_are_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOUNDSTREAM_SERVICE_TOKEN", "t" * 8 + "0123456789abcdef" * 2)
    monkeypatch.setenv("SOUNDSTREAM_ENVIRONMENT", "production")

    env = runner(tmp_path).base_env()

    assert env["SOUNDSTREAM_SERVICE_TOKEN"] == "t" * 8 + "0123456789abcdef" * 2
    assert env["SOUNDSTREAM_ENVIRONMENT"] == "production"
