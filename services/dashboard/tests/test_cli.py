"""The ``dashboard`` command serves the Streamlit app with the configured address."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from dashboard.cli import APP_FILE, streamlit_arguments
from dashboard.config import Settings
from soundstream_admin.local_redis import free_port
from soundstream_testing import wait_until


def option(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def test_the_command_runs_the_app_file_headless_on_the_configured_port_and_host(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DASHBOARD_PORT", "18555")
    monkeypatch.setenv("DASHBOARD_HOST", "0.0.0.0")
    command = streamlit_arguments(Settings())
    assert command[:2] == ["run", str(APP_FILE)]
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


def test_the_server_stops_on_sigterm_after_its_output_reader_is_gone(tmp_path: Path) -> None:
    """``soundstream-admin dev`` killed outright: its dashboard gets SIGTERM with nobody reading.

    Streamlit prints while stopping; on a pipe with no reader that print used to fail and leave
    the server running for ever.
    """
    port = free_port()
    env = {**os.environ, "DASHBOARD_PORT": str(port), "DASHBOARD_HOST": "127.0.0.1"}
    command = [str(Path(sys.executable).parent / "dashboard")]
    server = subprocess.Popen(
        command, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:

        def answering() -> bool:
            assert server.poll() is None, "the dashboard exited before it answered"
            return answers(f"http://127.0.0.1:{port}/_stcore/health")

        wait_until(answering, timeout=60, what="the dashboard to answer", poll=0.2)
        assert server.stdout is not None
        server.stdout.close()

        server.send_signal(signal.SIGTERM)

        assert server.wait(timeout=20) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.TransportError:
        return False
