"""The ``dashboard`` command serves the Streamlit app with the configured address."""

from __future__ import annotations

import sys

import pytest

from dashboard.cli import APP_FILE, streamlit_command
from dashboard.config import Settings


def option(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def test_the_command_runs_the_app_file_headless_on_the_configured_port_and_host(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DASHBOARD_PORT", "18555")
    monkeypatch.setenv("DASHBOARD_HOST", "0.0.0.0")
    command = streamlit_command(Settings())
    assert command[:4] == [sys.executable, "-m", "streamlit", "run"]
    assert command[4] == str(APP_FILE)
    assert APP_FILE.is_file()
    assert option(command, "--server.port") == "18555"
    assert option(command, "--server.address") == "0.0.0.0"
    assert option(command, "--server.headless") == "true"
    assert option(command, "--browser.gatherUsageStats") == "false"


def test_defaults_match_the_stack_definition(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DASHBOARD_PORT", "DASHBOARD_HOST", "DASHBOARD_GATEWAY_URL", "DASHBOARD_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings(_env_file=None)
    assert settings.port == 8501
    assert settings.gateway_url == "http://127.0.0.1:8000"
    assert settings.api_key_value() is None


def test_the_api_key_stays_secret_when_printed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DASHBOARD_API_KEY", "ss_admin_topsecret")
    settings = Settings()
    assert settings.api_key_value() == "ss_admin_topsecret"
    assert "topsecret" not in repr(settings)


def test_an_invalid_port_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DASHBOARD_PORT", "70000")
    with pytest.raises(ValueError, match="port"):
        Settings()
