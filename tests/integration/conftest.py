"""Integration tests: say in the run's output what ran, where, and what was skipped and why."""

from __future__ import annotations

import os

import pytest
from _pytest.terminal import TerminalReporter

from soundstream_testing.stores import DEFAULT_POSTGRES_URL, docker_engine_reachable

OUTCOMES: dict[str, list[str]] = {"passed": [], "failed": [], "skipped": []}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if "tests/integration/" not in report.nodeid.replace("\\", "/"):
        return
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        detail = report.nodeid.split("::", 1)[-1]
        if report.skipped and isinstance(report.longrepr, tuple):
            detail += f" ({report.longrepr[2].removeprefix('Skipped: ')})"
        OUTCOMES[report.outcome].append(detail)


def pytest_terminal_summary(terminalreporter: TerminalReporter) -> None:
    if not any(OUTCOMES.values()):
        return
    write = terminalreporter.write_line
    terminalreporter.section("integration tests")
    if docker_engine_reachable():
        write("PostgreSQL and Redis: testcontainers (PostgresContainer, RedisContainer)")
    else:
        postgres = os.environ.get("SOUNDSTREAM_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
        redis = os.environ.get("SOUNDSTREAM_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
        write(f"no Docker engine: PostgreSQL and Redis are the local servers ({postgres}, {redis})")
    for outcome, tests in OUTCOMES.items():
        for test in tests:
            write(f"{outcome.upper():8} {test}")
