"""``soundstream-admin dev``: the whole local stack up, reachable, and stopped without leftovers."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from soundstream_admin.children import port_is_free
from soundstream_admin.stack import find_stack_file, load_stack
from soundstream_testing import wait_until
from soundstream_testing.stack import free_port_offset, stack_processes

ADMIN = str(Path(sys.executable).parent / "soundstream-admin")
STACK = load_stack(find_stack_file())
STARTUP_SECONDS = 90.0
STACK_UP = "stack is up; Ctrl-C stops it"


HTTP_SERVICES = {spec.name: spec for spec in STACK if spec.port is not None}
PORTS = {spec.name: spec.port for spec in STACK if spec.port is not None}
# Every port a stack binds: the HTTP services' and the workers' metrics ports.
STACK_PORTS = [*PORTS.values(), *(spec.metrics_port for spec in STACK if spec.metrics_port)]


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
    with httpx.Client(timeout=2.0) as client:

        def ready() -> bool:
            assert runner.process.poll() is None, f"runner exited:\n{runner.output()}"
            while pending and client.get(pending[0]).status_code == 200:
                pending.pop(0)
            return not pending and STACK_UP in runner.output()

        wait_until(
            ready,
            timeout=STARTUP_SECONDS,
            what=lambda: f"the stack to be ready (not yet: {pending})\n{runner.output()}",
            poll=0.2,
            ignoring=(httpx.TransportError,),
        )


def test_dev_starts_every_service_and_ctrl_c_stops_them_all(
    data_dir: Path, runners: list[Runner]
) -> None:
    offset = free_port_offset(STACK_PORTS)
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
    offset = free_port_offset(STACK_PORTS)
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
    offset = free_port_offset(STACK_PORTS)
    runner = Runner(data_dir, "--no-import", "--port-offset", str(offset))
    runners.append(runner)
    wait_until_ready(runner, ready_urls(offset))

    runner.process.kill()
    runner.process.wait()

    wait_until(
        lambda: not stack_processes(data_dir),
        timeout=STARTUP_SECONDS,
        what=lambda: f"the stack's processes to go: {describe(stack_processes(data_dir))}",
        poll=0.5,
    )


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
    offset = free_port_offset(STACK_PORTS)
    listening = HTTP_SERVICES["listening"]
    port = PORTS["listening"]
    stack_file = tmp_path / "stack.toml"
    stack_file.write_text(
        f"""
[services.listening]
command = {json.dumps(list(listening.command))}
port = {port}
settings = "{listening.settings}"

[services.broken]
command = {json.dumps(command)}
port = {port + 1}
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


def runner_story(output: str) -> str:
    """What the runner itself said (its ``dev`` lines and its last words), then the last of
    the services' output: why a stack stopped, without the whole start-up log first."""
    lines = output.splitlines()
    own = [line for line in lines if line.startswith("dev ") or " | " not in line]
    return "\n".join([*own, "--- last lines ---", *lines[-40:]])


def wait_for_output(runner: Runner, text: str) -> None:
    """Poll the runner's output until ``text`` shows (fails if the runner exits first)."""

    def shown() -> bool:
        assert runner.process.poll() is None, f"runner exited:\n{runner_story(runner.output())}"
        return text in runner.output()

    wait_until(
        shown, timeout=STARTUP_SECONDS, what=lambda: f"{text!r} in:\n{runner.output()}", poll=0.2
    )


def child_running(runner: Runner, name: str) -> psutil.Process:
    return next(
        p for p in psutil.Process(runner.process.pid).children() if name in " ".join(p.cmdline())
    )


def test_a_service_that_dies_is_restarted_and_the_stack_keeps_serving(
    data_dir: Path, runners: list[Runner]
) -> None:
    offset = free_port_offset(STACK_PORTS)
    runner = Runner(data_dir, "--no-import", "--port-offset", str(offset))
    runners.append(runner)
    wait_until_ready(runner, ready_urls(offset))
    listening = child_running(runner, "listening-api")
    bases = base_urls(offset)

    listening.kill()

    wait_for_output(runner, "listening is serving again")
    with httpx.Client(timeout=5.0) as client:
        for name, spec in HTTP_SERVICES.items():
            assert client.get(bases[name] + spec.ready).status_code == 200, name
    assert child_running(runner, "listening-api").pid != listening.pid
    output = runner.output()
    assert "listening exited (exit code -9)" in output
    assert "restarting in 0.5s (restart 1 of at most 5 in a row)" in output
    assert "listening restarted (pid " in output

    runner.process.send_signal(signal.SIGINT)

    assert runner.wait() == 0, runner.output()
    assert stack_processes(data_dir) == []


def test_a_service_that_keeps_crashing_stops_the_stack_and_is_named(
    data_dir: Path, tmp_path: Path, runners: list[Runner]
) -> None:
    """The first run of ``crashy`` stays up; once killed, every restart exits at once."""
    offset = free_port_offset(STACK_PORTS)
    listening = HTTP_SERVICES["listening"]
    marker = tmp_path / "crashy-started"
    crashy = (
        "import pathlib, sys, time\n"
        f"marker = pathlib.Path({str(marker)!r})\n"
        "if marker.exists():\n"
        "    print('crashy: cannot start again', flush=True)\n"
        "    sys.exit(4)\n"
        "marker.touch()\n"
        "time.sleep(3600)\n"
    )
    stack_file = tmp_path / "stack.toml"
    stack_file.write_text(
        f"""
[services.listening]
command = {json.dumps(list(listening.command))}
port = {PORTS["listening"]}
settings = "{listening.settings}"

[services.crashy]
command = {json.dumps(["python", "-c", crashy])}
""",
        encoding="utf-8",
    )
    runner = Runner(
        data_dir,
        "--no-import",
        "--port-offset",
        str(offset),
        "--stack",
        str(stack_file),
        "--max-restarts",
        "2",
    )
    runners.append(runner)
    wait_for_output(runner, STACK_UP)

    child_running(runner, "crashy-started").kill()

    code = runner.wait(timeout=STARTUP_SECONDS)
    output = runner.output()
    assert code != 0, output
    assert "restart 1 of at most 2 in a row" in output
    assert "restart 2 of at most 2 in a row" in output
    assert "soundstream-admin dev: crashy keeps crashing (3 exits in a row" in output
    assert "crashy: cannot start again" in output
    assert stack_processes(data_dir) == []
    assert port_is_free(PORTS["listening"] + offset)
