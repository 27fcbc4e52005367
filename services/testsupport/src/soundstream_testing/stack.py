"""pytest plugin: the whole stack, started by the real local runner, for cross-service tests.

``live_stack`` (one per test session) runs ``soundstream-admin dev`` on free ports with its own
data directory, the real HetRec data (a copy is required under CI) and a Redis database of its
own (``SOUNDSTREAM_TEST_STACK_REDIS_URL``, flushed first), exactly as a user's ``make dev`` does.
``trained_stack`` is the same stack once a first model has been trained and published.
"""

from __future__ import annotations

import contextlib
import os
import random
import secrets
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil
import pytest
import redis

from soundstream_admin.children import port_is_free
from soundstream_admin.local_redis import free_port
from soundstream_admin.runner import METRICS_TOKEN_VARIABLE
from soundstream_admin.stack import find_stack_file, load_stack
from soundstream_common.service_token import service_headers
from soundstream_common.settings import SERVICE_TOKEN_VARIABLE
from soundstream_testing.hetrec import require_hetrec
from soundstream_testing.waiting import wait_until

__all__ = [
    "LiveStack",
    "free_port",
    "free_port_offset",
    "live_stack",
    "running_stack",
    "stack_processes",
    "trained_stack",
]

STACK_UP = "stack is up; Ctrl-C stops it"
DEFAULT_STACK_REDIS_URL = "redis://127.0.0.1:6379/13"
START_TIMEOUT_SECONDS = 240.0
STOP_TIMEOUT_SECONDS = 30.0
TRAIN_TIMEOUT_SECONDS = 300.0
SERVICE_PREFIXES = ("CATALOG_", "LISTENING_", "RECOMMENDER_", "GATEWAY_", "DASHBOARD_")


@dataclass(frozen=True)
class LiveStack:
    """A running stack: where each HTTP service answers, the gateway's admin key and the
    service token the internal services want."""

    urls: dict[str, str]
    admin_key: str
    data_dir: Path
    redis_url: str
    log: Path
    metrics_token: str = ""
    # Each worker's metrics endpoint, by service name.
    worker_metrics: dict[str, str] = field(default_factory=dict)
    service_token: str = ""

    def url(self, service: str, path: str = "") -> str:
        return self.urls[service] + path

    @property
    def service_headers(self) -> dict[str, str]:
        """What a call straight to an internal service (not the gateway) must carry."""
        return service_headers(self.service_token)

    def output(self) -> str:
        """What the runner has printed so far (for failure messages)."""
        return self.log.read_text(encoding="utf-8", errors="replace")


EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
LOWEST_OFFSET = 10_000


def ephemeral_ports_start() -> int:
    """The first port the kernel hands to outgoing connections (Linux: 32768 by default)."""
    try:
        return int(EPHEMERAL_RANGE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32_768


def free_port_offset(ports: list[int]) -> int:
    """An offset that puts every port of the stack on a free port, away from a running stack,
    and below the ephemeral range: there no outgoing connection (to Redis, PostgreSQL or
    another service) takes one of them between this check and the services' start."""
    highest = ephemeral_ports_start() - max(ports) - 1
    if highest <= LOWEST_OFFSET:  # an unusual kernel setting: any free ports will do
        highest = LOWEST_OFFSET + 20_000
    for _ in range(200):
        offset = random.randrange(LOWEST_OFFSET, highest)
        if all(port_is_free(port + offset) for port in ports):
            return offset
    raise RuntimeError("no free ports for the stack")


def stack_env(
    data_dir: Path,
    redis_url: str,
    admin_key: str,
    hetrec_dir: Path,
    extra: dict[str, str] | None = None,
    service_token: str = "",
) -> dict[str, str]:
    """The developer's environment minus any service setting, plus the stack's own (and
    ``extra`` settings)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(SERVICE_PREFIXES)}
    env.update(
        SOUNDSTREAM_DATA_DIR=str(data_dir),
        SOUNDSTREAM_HETREC_DIR=str(hetrec_dir),
        GATEWAY_ADMIN_API_KEY=admin_key,
        RECOMMENDER_CELERY_BROKER_URL=redis_url,
    )
    if service_token:
        env[SERVICE_TOKEN_VARIABLE] = service_token
    for prefix in SERVICE_PREFIXES:
        env[f"{prefix}REDIS_URL"] = redis_url
        env[f"{prefix}LOG_JSON"] = "true"
    env.update(extra or {})
    return env


def wait_for_stack(process: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    def up() -> bool:
        if process.poll() is not None:
            pytest.fail(f"the stack exited ({process.returncode}) before it was up:\n{tail(log)}")
        return STACK_UP in log.read_text(encoding="utf-8", errors="replace")

    wait_until(up, timeout=timeout, what=lambda: f"the stack to be up:\n{tail(log)}", poll=0.5)


def tail(log: Path, lines: int = 60) -> str:
    return "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def stack_processes(data_dir: Path) -> list[psutil.Process]:
    """Every process started for a stack (they all inherit its data directory)."""
    found = []
    for process in psutil.process_iter():
        try:
            if process.environ().get("SOUNDSTREAM_DATA_DIR") == str(data_dir):
                found.append(process)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


def stop_stack(process: subprocess.Popen[bytes], data_dir: Path, log: Path) -> None:
    """Ctrl-C's equivalent (SIGTERM) to the runner; fails if it or any service outlives it."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            pytest.fail(f"the runner did not stop within {STOP_TIMEOUT_SECONDS:.0f}s")
    leftovers = stack_processes(data_dir)
    for leftover in leftovers:
        with contextlib.suppress(psutil.NoSuchProcess):
            leftover.kill()
    if leftovers:
        names = ", ".join(" ".join(p.cmdline()[:2]) for p in leftovers if p.is_running())
        pytest.fail(f"processes left behind by the stack: {names}\n{tail(log)}")


@contextlib.contextmanager
def running_stack(
    root: Path, hetrec_dir: Path, redis_url: str, extra: dict[str, str] | None = None
) -> Iterator[LiveStack]:
    """``soundstream-admin dev`` on free ports under ``root``, with the real data loaded and
    ``redis_url`` (flushed first) to itself; stopped, and checked stopped, on exit."""
    require_hetrec(hetrec_dir)
    specs = load_stack(find_stack_file())
    ports = {spec.name: spec.port for spec in specs if spec.port is not None}
    metrics_ports = [spec.metrics_port for spec in specs if spec.metrics_port is not None]
    offset = free_port_offset([*ports.values(), *metrics_ports])
    data_dir = root / "var"
    try:
        redis.Redis.from_url(redis_url).flushdb()
    except redis.RedisError as exc:
        pytest.fail(f"the stack's Redis at {redis_url} is not reachable: {exc}")
    admin_key = "ss_admin_" + secrets.token_urlsafe(24)
    service_token = secrets.token_hex(32)
    metrics_token = secrets.token_urlsafe(32)
    log = root / "runner.out"
    admin = str(Path(sys.executable).parent / "soundstream-admin")
    with log.open("wb") as out:
        process = subprocess.Popen(
            [admin, "dev", "--port-offset", str(offset), "--ready-timeout", "120"],
            env=stack_env(
                data_dir,
                redis_url,
                admin_key,
                hetrec_dir,
                {METRICS_TOKEN_VARIABLE: metrics_token, **(extra or {})},
                service_token,
            ),
            cwd=root,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_stack(process, log, START_TIMEOUT_SECONDS)
        urls = {name: f"http://127.0.0.1:{port + offset}" for name, port in ports.items()}
        workers = {
            spec.name: f"http://127.0.0.1:{spec.metrics_port + offset}/metrics"
            for spec in specs
            if spec.metrics_port is not None
        }
        yield LiveStack(
            urls, admin_key, data_dir, redis_url, log, metrics_token, workers, service_token
        )
    finally:
        stop_stack(process, data_dir, log)


@pytest.fixture(scope="session")
def live_stack(tmp_path_factory: pytest.TempPathFactory, hetrec_dir: Path) -> Iterator[LiveStack]:
    """``soundstream-admin dev`` on free ports with the real data loaded; stopped at the end."""
    redis_url = os.environ.get("SOUNDSTREAM_TEST_STACK_REDIS_URL", DEFAULT_STACK_REDIS_URL)
    with running_stack(tmp_path_factory.mktemp("live-stack"), hetrec_dir, redis_url) as stack:
        yield stack


def train_first_model(
    stack: LiveStack, timeout: float = TRAIN_TIMEOUT_SECONDS
) -> dict[str, object]:
    """Wait until a model is current: the worker trains the first one when it starts (no
    retrain is asked for)."""
    recommender = stack.url("recommender")
    with httpx.Client(base_url=recommender, timeout=30.0, headers=stack.service_headers) as client:

        def current() -> dict[str, object] | None:
            answer = client.get("/models/current")
            return dict(answer.json()) if answer.status_code == 200 else None

        return wait_until(
            current,
            timeout=timeout,
            what=lambda: f"a first model to be published:\n{tail(stack.log)}",
            poll=1.0,
        )


@pytest.fixture(scope="session")
def trained_stack(live_stack: LiveStack) -> LiveStack:
    """The live stack once its first model is trained and serving."""
    train_first_model(live_stack)
    return live_stack
