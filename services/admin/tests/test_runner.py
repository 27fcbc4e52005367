"""``soundstream-admin dev``: the whole local stack up, reachable, and stopped without leftovers."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from soundstream_admin.runner import find_stack_file, load_stack, port_is_free
from soundstream_admin.testing import free_port_offset, stack_processes

ADMIN = str(Path(sys.executable).parent / "soundstream-admin")
STACK = load_stack(find_stack_file())
STARTUP_SECONDS = 90.0
STACK_UP = "stack is up; Ctrl-C stops it"


HTTP_SERVICES = {spec.name: spec for spec in STACK if spec.port is not None}
PORTS = {spec.name: spec.port for spec in STACK if spec.port is not None}


def base_urls(offset: int) -> dict[str, str]:
    return {name: f"http://127.0.0.1:{port + offset}" for name, port in PORTS.items()}


def ready_urls(offset: int) -> list[str]:
    return [url + HTTP_SERVICES[name].ready for name, url in base_urls(offset).items()]


def runner_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CATALOG_", "LISTENING_"))}
    env["SOUNDSTREAM_DATA_DIR"] = str(data_dir)
    for spec in STACK:
        env[f"{spec.env_prefix}REDIS_URL"] = ""  # keep the developer's Redis out of it
    return env


class Runner:
    """A ``soundstream-admin dev`` process with its output captured in a file."""

    def __init__(self, data_dir: Path, *args: str) -> None:
        self.data_dir = data_dir
        self.log = data_dir.parent / "runner.out"
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                [ADMIN, "dev", *args],
                env=runner_env(data_dir),
                cwd=data_dir.parent,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait(self, timeout: float = 60.0) -> int:
        return self.process.wait(timeout=timeout)

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()
        for process in stack_processes(self.data_dir):
            with contextlib.suppress(psutil.NoSuchProcess):
                process.kill()


def describe(processes: list[psutil.Process]) -> list[str]:
    """Leftover processes by command line, so a failure names the service that stayed."""
    described = []
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            described.append(f"{process.pid} {' '.join(process.cmdline())}")
    return described


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def runners(data_dir: Path) -> Iterator[list[Runner]]:
    started: list[Runner] = []
    yield started
    for runner in started:  # a failed test must not leave a stack behind
        runner.kill()


def wait_until_ready(runner: Runner, urls: list[str]) -> None:
    """Poll each ``/ready`` until it answers 200, then until the runner reports the stack up.

    Fails early if the runner exits.
    """
    pending = list(urls)
    deadline = time.monotonic() + STARTUP_SECONDS
    with httpx.Client(timeout=2.0) as client:
        while pending or STACK_UP not in runner.output():
            assert runner.process.poll() is None, f"runner exited:\n{runner.output()}"
            assert time.monotonic() < deadline, f"not ready: {pending}\n{runner.output()}"
            try:
                if pending and client.get(pending[0]).status_code == 200:
                    pending.pop(0)
                    continue
            except httpx.TransportError:
                pass
            with contextlib.suppress(subprocess.TimeoutExpired):
                runner.process.wait(timeout=0.2)  # the poll interval; returns early on exit


def test_dev_starts_every_service_and_ctrl_c_stops_them_all(
    data_dir: Path, runners: list[Runner]
) -> None:
    offset = free_port_offset(list(PORTS.values()))
    runner = Runner(data_dir, "--no-import", "--port-offset", str(offset))
    runners.append(runner)
    bases = base_urls(offset)

    wait_until_ready(runner, ready_urls(offset))

    with httpx.Client(timeout=5.0) as client:
        for name, spec in HTTP_SERVICES.items():
            health = client.get(bases[name] + spec.health)
            assert health.status_code == 200
            if spec.database:  # the API services' JSON health (Streamlit answers "ok")
                assert health.json()["service"] == name
            assert client.get(bases[name] + spec.docs).status_code == 200
    children = psutil.Process(runner.process.pid).children(recursive=True)
    assert len(children) >= len(STACK)
    databases = {f"{spec.database}.db" for spec in STACK if spec.database}
    assert databases <= {p.name for p in data_dir.iterdir()}

    runner.process.send_signal(signal.SIGINT)

    assert runner.wait() == 0, runner.output()
    _, alive = psutil.wait_procs(children, timeout=5)
    assert alive == []
    assert stack_processes(data_dir) == []
    assert all(port_is_free(port + offset) for port in PORTS.values())
    output = runner.output()
    for name, base in bases.items():
        assert f"{base}{HTTP_SERVICES[name].docs}" in output, name
    assert "SIGINT received: stopping the stack" in output


def test_sigterm_stops_the_stack_too(data_dir: Path, runners: list[Runner]) -> None:
    offset = free_port_offset(list(PORTS.values()))
    runner = Runner(data_dir, "--no-import", "--port-offset", str(offset))
    runners.append(runner)
    wait_until_ready(runner, ready_urls(offset))

    runner.process.send_signal(signal.SIGTERM)

    assert runner.wait() == 0, runner.output()
    assert stack_processes(data_dir) == []


def test_services_stop_even_when_the_runner_is_killed(
    data_dir: Path, runners: list[Runner]
) -> None:
    """A runner killed with SIGKILL cannot clean up: its services must still go."""
    offset = free_port_offset(list(PORTS.values()))
    runner = Runner(data_dir, "--no-import", "--port-offset", str(offset))
    runners.append(runner)
    wait_until_ready(runner, ready_urls(offset))

    runner.process.kill()
    runner.process.wait()

    deadline = time.monotonic() + STARTUP_SECONDS
    while (left := stack_processes(data_dir)) and time.monotonic() < deadline:
        psutil.wait_procs(left, timeout=0.5)
    assert describe(stack_processes(data_dir)) == []


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (["python", "-c", "print('config is broken'); raise SystemExit(3)"], "config is broken"),
        (["no-such-soundstream-command"], "cannot start"),
    ],
)
def test_a_service_that_fails_to_start_stops_the_stack_and_is_named(
    data_dir: Path, tmp_path: Path, runners: list[Runner], command: list[str], expected: str
) -> None:
    offset = free_port_offset(list(PORTS.values()))
    listening = HTTP_SERVICES["listening"]
    port = PORTS["listening"]
    stack_file = tmp_path / "stack.toml"
    stack_file.write_text(
        f"""
[services.listening]
command = {json.dumps(list(listening.command))}
port = {port}
env_prefix = "{listening.env_prefix}"

[services.broken]
command = {json.dumps(command)}
port = {port + 1}
env_prefix = "BROKEN_"
""",
        encoding="utf-8",
    )
    runner = Runner(
        data_dir, "--no-import", "--port-offset", str(offset), "--stack", str(stack_file)
    )
    runners.append(runner)

    code = runner.wait(timeout=STARTUP_SECONDS)

    output = runner.output()
    assert code != 0, output
    assert "soundstream-admin dev: broken" in output
    assert expected in output
    assert stack_processes(data_dir) == []
    assert port_is_free(port + offset)


def test_a_service_that_dies_later_stops_the_stack_with_an_error(
    data_dir: Path, runners: list[Runner]
) -> None:
    offset = free_port_offset(list(PORTS.values()))
    runner = Runner(data_dir, "--no-import", "--port-offset", str(offset))
    runners.append(runner)
    wait_until_ready(runner, ready_urls(offset))
    listening = next(
        p
        for p in psutil.Process(runner.process.pid).children()
        if "listening" in " ".join(p.cmdline())
    )

    listening.kill()

    assert runner.wait() != 0
    assert "soundstream-admin dev: listening exited unexpectedly" in runner.output()
    assert stack_processes(data_dir) == []
