"""Log files and console output: JSON lines, one access line per request, errors apart."""

from __future__ import annotations

import gzip
import json
import os
import threading
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from soundstream_common import access_log as access_log_module
from soundstream_common import logging as logging_module
from soundstream_common.access_log import BATCH_LINES, FLUSH_SECONDS
from soundstream_testing import wait_until

from .conftest import ServiceUnderTest


def json_lines(path: Path) -> list[dict[str, Any]]:
    """Every line of a log file, each of which must be a JSON object."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def log_dir(tmp_path: Path) -> Path:
    return tmp_path / "logs"


@pytest.fixture
def exercised(service: ServiceUnderTest, sqlite_url: str, log_dir: Path) -> dict[str, str]:
    """Run a few requests (ok, 404, 422, 500) against an app logging to ``log_dir``.

    Returns the request id each path was sent with.
    """
    ids = {
        "/health": "req-health",
        "/probe/artists/7": "req-missing",
        "/probe/items?limit=0": "req-invalid",
        "/probe/boom": "req-boom",
    }
    app = service.app(sqlite_url, log_dir=log_dir)
    with TestClient(app, raise_server_exceptions=False) as client:
        for path, request_id in ids.items():
            client.get(path, headers={"X-Request-ID": request_id})
    return ids


def test_log_dir_holds_app_errors_and_access_logs(log_dir: Path, exercised: dict[str, str]) -> None:
    assert sorted(p.name for p in log_dir.iterdir()) == ["access.log", "app.log", "errors.log"]
    for name in ("access.log", "app.log", "errors.log"):
        assert json_lines(log_dir / name), f"{name} is empty"


def test_access_log_has_one_json_line_per_request(
    service: ServiceUnderTest, log_dir: Path, exercised: dict[str, str]
) -> None:
    lines = json_lines(log_dir / "access.log")

    assert [(line["method"], line["request_id"]) for line in lines] == [
        ("GET", request_id) for request_id in exercised.values()
    ]
    assert [(line["path"], line["status"]) for line in lines] == [
        ("/health", 200),
        ("/probe/artists/7", 404),
        ("/probe/items", 422),
        ("/probe/boom", 500),
    ]
    for line in lines:
        assert isinstance(line["latency_ms"], float | int)
        assert line["latency_ms"] >= 0
        assert line["client"] == "testclient"
        assert line["service"] == service.name


def test_errors_log_holds_only_errors_with_their_request_id_and_traceback(
    log_dir: Path, exercised: dict[str, str]
) -> None:
    lines = json_lines(log_dir / "errors.log")

    assert lines
    assert {line["level"] for line in lines} == {"ERROR"}
    (boom,) = [line for line in lines if line["request_id"] == "req-boom"]
    assert boom["exception"] == "RuntimeError: internal detail: password=hunter2"
    assert "Traceback (most recent call last)" in boom["traceback"]


def test_app_log_holds_everything_but_access_lines(
    service: ServiceUnderTest, log_dir: Path, exercised: dict[str, str]
) -> None:
    lines = json_lines(log_dir / "app.log")
    messages = [line["message"] for line in lines]

    assert not any(line.get("access") for line in lines)
    assert any(m.startswith(f"{service.name} starting") for m in messages)
    assert any(m.startswith("unhandled error on GET /probe/boom") for m in messages)
    assert messages[-1] == f"{service.name} stopped"


def test_console_is_json_when_asked(
    service: ServiceUnderTest, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with TestClient(service.app(sqlite_url, log_json=True), raise_server_exceptions=False) as c:
        c.get("/health", headers={"X-Request-ID": "console-1"})
        c.get("/probe/boom", headers={"X-Request-ID": "console-2"})

    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    access = [line for line in lines if line.get("access")]
    assert [(a["path"], a["status"], a["request_id"]) for a in access] == [
        ("/health", 200, "console-1"),
        ("/probe/boom", 500, "console-2"),
    ]
    assert {line["service"] for line in lines} == {service.name}


def test_console_is_readable_text_when_json_is_off(
    service: ServiceUnderTest, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with TestClient(service.app(sqlite_url, log_json=False)) as client:
        client.get("/health", headers={"X-Request-ID": "plain-1"})

    err = capsys.readouterr().err
    (access,) = [line for line in err.splitlines() if "GET /health 200" in line]
    assert "plain-1" in access
    assert not access.lstrip().startswith("{")


def test_access_lines_are_written_while_the_service_runs(
    service: ServiceUnderTest, sqlite_url: str, log_dir: Path
) -> None:
    """Lines are written in batches, at the latest FLUSH_SECONDS after a request."""
    with TestClient(service.app(sqlite_url, log_dir=log_dir)) as client:
        client.get("/health", headers={"X-Request-ID": "running-1"})
        lines = wait_until(
            lambda: json_lines(log_dir / "access.log"),
            timeout=FLUSH_SECONDS + 2.0,
            what="the access line to be written",
        )
        assert [line["request_id"] for line in lines] == ["running-1"]


def test_a_full_batch_is_written_at_once(
    service: ServiceUnderTest, sqlite_url: str, log_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(access_log_module, "FLUSH_SECONDS", 3600.0)
    with TestClient(service.app(sqlite_url, log_dir=log_dir)) as client:
        for n in range(BATCH_LINES):
            client.get("/health", headers={"X-Request-ID": f"batch-{n}"})
        assert len(json_lines(log_dir / "access.log")) == BATCH_LINES


CHATTER = ("connect_tcp.started host='upstream'", "connection pool is full")


def _chatter_lines(app_log: Path) -> list[str]:
    return [line["message"] for line in json_lines(app_log) if line["message"] in CHATTER]


def test_libraries_log_warnings_only_unless_asked(
    service: ServiceUnderTest, sqlite_url: str, log_dir: Path
) -> None:
    with TestClient(service.app(sqlite_url, log_dir=log_dir)) as client:
        client.get("/probe/chatter")
    assert _chatter_lines(log_dir / "app.log") == ["connection pool is full"]

    asked = log_dir / "asked"
    app = service.app(sqlite_url, log_dir=asked, library_log_level="DEBUG")
    with TestClient(app) as client:
        client.get("/probe/chatter")
    assert _chatter_lines(asked / "app.log") == [
        "connect_tcp.started host='upstream'",
        "connection pool is full",
    ]


def test_app_log_does_not_grow_with_the_requests(
    service: ServiceUnderTest, sqlite_url: str, log_dir: Path
) -> None:
    with TestClient(service.app(sqlite_url, log_dir=log_dir)) as client:
        client.get("/health")
        before = (log_dir / "app.log").stat().st_size
        for _ in range(200):
            assert client.get("/probe/db").status_code == 200
        grown = (log_dir / "app.log").stat().st_size - before
    assert grown < 300 * 200


def test_rotated_logs_are_compressed_whole_off_the_serving_thread(
    service: ServiceUnderTest, sqlite_url: str, log_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(logging_module, "ROTATION", "4 KB")
    compressed_by: list[threading.Thread] = []
    gzip_file = logging_module._gzip

    def recording_gzip(path: Path) -> None:
        compressed_by.append(threading.current_thread())
        gzip_file(path)

    monkeypatch.setattr(logging_module, "_gzip", recording_gzip)
    log_dir.mkdir()
    expired = log_dir / "access.2001-01-01_00-00-00_000000.log.gz"
    expired.write_bytes(gzip.compress(b""))
    os.utime(expired, (0, 0))
    with TestClient(service.app(sqlite_url, log_dir=log_dir)) as client:
        for number in range(2 * BATCH_LINES):
            assert client.get(f"/health?n={number}").status_code in (200, 422)
    for thread in compressed_by:
        thread.join(timeout=30)
    assert compressed_by, "access.log never rotated"
    assert threading.current_thread() not in compressed_by
    assert not expired.exists()  # past the retention
    rotated = sorted(log_dir.glob("access.*.log.gz"))
    assert rotated
    assert not [p for p in log_dir.iterdir() if p.name.endswith(".part")]
    assert not [p for p in log_dir.glob("access.*.log") if p.name != "access.log"]
    lines = [
        json.loads(line)
        for path in [*rotated, log_dir / "access.log"]
        for line in (
            gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        ).splitlines()
    ]
    queried = [line["path"] for line in lines if line["path"] == "/health"]
    assert len(queried) == 2 * BATCH_LINES
