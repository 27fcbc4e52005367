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
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import psutil
import pytest
import redis

from soundstream_admin.local_redis import free_port
from soundstream_admin.runner import find_stack_file, load_stack, port_is_free
from soundstream_common.testing import require_hetrec

if TYPE_CHECKING:
    from selenium.webdriver import Chrome

__all__ = [
    "LiveStack",
    "free_port",
    "free_port_offset",
    "headless_chromium",
    "live_stack",
    "stack_processes",
    "trained_stack",
]

STACK_UP = "stack is up; Ctrl-C stops it"
DEFAULT_STACK_REDIS_URL = "redis://127.0.0.1:6379/13"
START_TIMEOUT_SECONDS = 240.0
STOP_TIMEOUT_SECONDS = 30.0
TRAIN_TIMEOUT_SECONDS = 300.0
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
SERVICE_PREFIXES = ("CATALOG_", "LISTENING_", "RECOMMENDER_", "GATEWAY_", "DASHBOARD_")


@dataclass(frozen=True)
class LiveStack:
    """A running stack: where each HTTP service answers and the gateway's admin key."""

    urls: dict[str, str]
    admin_key: str
    data_dir: Path
    redis_url: str
    log: Path

    def url(self, service: str, path: str = "") -> str:
        return self.urls[service] + path

    def output(self) -> str:
        """What the runner has printed so far (for failure messages)."""
        return self.log.read_text(encoding="utf-8", errors="replace")


def free_port_offset(ports: list[int]) -> int:
    """An offset that puts every port of the stack on a free port, away from a running stack."""
    for _ in range(200):
        offset = random.randrange(20_000, 40_000)
        if all(port_is_free(port + offset) for port in ports):
            return offset
    raise RuntimeError("no free ports for the stack")


def stack_env(data_dir: Path, redis_url: str, admin_key: str, hetrec_dir: Path) -> dict[str, str]:
    """The developer's environment minus any service setting, plus the stack's own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(SERVICE_PREFIXES)}
    env.update(
        SOUNDSTREAM_DATA_DIR=str(data_dir),
        SOUNDSTREAM_HETREC_DIR=str(hetrec_dir),
        GATEWAY_ADMIN_API_KEY=admin_key,
        RECOMMENDER_CELERY_BROKER_URL=redis_url,
    )
    for prefix in SERVICE_PREFIXES:
        env[f"{prefix}REDIS_URL"] = redis_url
        env[f"{prefix}LOG_JSON"] = "true"
    return env


def wait_for_stack(process: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if STACK_UP in log.read_text(encoding="utf-8", errors="replace"):
            return
        if process.poll() is not None:
            pytest.fail(f"the stack exited ({process.returncode}) before it was up:\n{tail(log)}")
        time.sleep(0.5)
    pytest.fail(f"the stack was not up within {timeout:.0f}s:\n{tail(log)}")


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


@pytest.fixture(scope="session")
def live_stack(tmp_path_factory: pytest.TempPathFactory, hetrec_dir: Path) -> Iterator[LiveStack]:
    """``soundstream-admin dev`` on free ports with the real data loaded; stopped at the end."""
    require_hetrec(hetrec_dir)
    specs = load_stack(find_stack_file())
    ports = {spec.name: spec.port for spec in specs if spec.port is not None}
    offset = free_port_offset(list(ports.values()))
    root = tmp_path_factory.mktemp("live-stack")
    data_dir = root / "var"
    redis_url = os.environ.get("SOUNDSTREAM_TEST_STACK_REDIS_URL", DEFAULT_STACK_REDIS_URL)
    try:
        redis.Redis.from_url(redis_url).flushdb()
    except redis.RedisError as exc:
        pytest.fail(f"the stack's Redis at {redis_url} is not reachable: {exc}")
    admin_key = "ss_admin_" + secrets.token_urlsafe(24)
    log = root / "runner.out"
    admin = str(Path(sys.executable).parent / "soundstream-admin")
    with log.open("wb") as out:
        process = subprocess.Popen(
            [admin, "dev", "--port-offset", str(offset), "--ready-timeout", "120"],
            env=stack_env(data_dir, redis_url, admin_key, hetrec_dir),
            cwd=root,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_stack(process, log, START_TIMEOUT_SECONDS)
        urls = {name: f"http://127.0.0.1:{port + offset}" for name, port in ports.items()}
        yield LiveStack(urls, admin_key, data_dir, redis_url, log)
    finally:
        stop_stack(process, data_dir, log)


def train_first_model(
    stack: LiveStack, timeout: float = TRAIN_TIMEOUT_SECONDS
) -> dict[str, object]:
    """Retrain through the recommender's API and wait until a model is current."""
    recommender = stack.url("recommender")
    with httpx.Client(base_url=recommender, timeout=30.0) as client:
        current = client.get("/models/current")
        if current.status_code == 200:
            return dict(current.json())
        started = client.post("/models/retrain", params={"force": "true"})
        assert started.status_code in (202, 409), started.text
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            current = client.get("/models/current")
            if current.status_code == 200:
                return dict(current.json())
            time.sleep(1.0)
    pytest.fail(f"no model was published within {timeout:.0f}s:\n{tail(stack.log)}")


@pytest.fixture(scope="session")
def trained_stack(live_stack: LiveStack) -> LiveStack:
    """The live stack once its first model is trained and serving."""
    train_first_model(live_stack)
    return live_stack


def headless_chromium(width: int = 1400, height: int = 1000) -> Chrome:
    """Headless Chromium driven through its ChromeDriver. Missing, it fails the test under CI
    (which installs it) and skips it elsewhere, saying what to install."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    browser = next((path for name in CHROMIUM_NAMES if (path := shutil.which(name))), None)
    driver = shutil.which("chromedriver")
    if browser is None or driver is None:
        message = "headless Chromium and chromedriver are needed (apt: chromium chromium-driver)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(argument)
    options.add_argument(f"--window-size={width},{height}")
    return webdriver.Chrome(service=Service(driver), options=options)
