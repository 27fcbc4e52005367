"""The local stack runner behind ``soundstream-admin dev`` (``make dev``).

Reads ``infra/stack.toml`` (the one definition of each service's command, port and environment
prefix), finds or starts a Redis server (:mod:`soundstream_admin.local_redis`), migrates the
databases, loads the data, starts every service as a child process in its own process group,
waits until each answers ``/ready``, prints where everything is, and supervises: Ctrl-C or
SIGTERM stops every child (SIGTERM, then SIGKILL after a grace period); a child that dies takes
the stack down with a non-zero exit naming it.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import tomllib
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import IO

import httpx
from rich.console import Console
from rich.table import Table

from soundstream_admin.local_redis import (
    RedisUnavailableError,
    StackRedis,
    provide_redis,
    redis_answers,
)

STACK_FILE = Path("infra") / "stack.toml"
STOP_GRACE_SECONDS = 10.0
TAIL_LINES = 20
PR_SET_PDEATHSIG = 1  # linux/prctl.h
POLL_SECONDS = 0.2
ADMIN_KEY_VARIABLE = "GATEWAY_ADMIN_API_KEY"
DASHBOARD_KEY_VARIABLE = "DASHBOARD_API_KEY"


def _stop_with_parent() -> None:
    """In the child, before exec: get SIGTERM if the runner dies, even by SIGKILL (Linux)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class StackError(Exception):
    """The stack could not be started or kept running; the message says which service."""


@dataclass(frozen=True)
class ServiceSpec:
    """One ``[services.<name>]`` entry of the stack file. No port means a background worker."""

    name: str
    command: tuple[str, ...]
    env_prefix: str
    port: int | None = None
    health: str = "/health"
    ready: str = "/ready"
    docs: str = "/docs"
    env: Mapping[str, str] = field(default_factory=dict)
    # Used by the container deployment (see infra/stack.toml); the runner reads only `redis`.
    package: str | None = None
    settings: str | None = None
    database: str | None = None
    migrations: str | None = None
    redis: bool = False
    secrets: tuple[str, ...] = ()
    healthcheck: str | None = None


def find_stack_file(explicit: Path | None = None) -> Path:
    """``explicit``, else ``infra/stack.toml`` above the working directory or this package."""
    if explicit is not None:
        if not explicit.is_file():
            raise StackError(f"stack file {explicit} does not exist")
        return explicit
    for start in (Path.cwd().resolve(), Path(__file__).resolve().parent):
        for folder in (start, *start.parents):
            if (folder / STACK_FILE).is_file():
                return folder / STACK_FILE
    raise StackError(f"no {STACK_FILE} found above {Path.cwd()}; pass --stack")


def load_stack(path: Path) -> list[ServiceSpec]:
    """The services of a stack file, in the order they are defined."""
    try:
        services = tomllib.loads(path.read_text(encoding="utf-8")).get("services", {})
        specs = [
            ServiceSpec(
                name=name,
                command=tuple(entry["command"]),
                env_prefix=entry["env_prefix"],
                port=entry.get("port"),
                health=entry.get("health", "/health"),
                ready=entry.get("ready", "/ready"),
                docs=entry.get("docs", "/docs"),
                env={k: str(v) for k, v in entry.get("env", {}).items()},
                package=entry.get("package"),
                settings=entry.get("settings"),
                database=entry.get("database"),
                migrations=entry.get("migrations"),
                redis=bool(entry.get("redis", False)),
                secrets=tuple(entry.get("secrets", ())),
                healthcheck=entry.get("healthcheck"),
            )
            for name, entry in services.items()
        ]
    except (tomllib.TOMLDecodeError, KeyError, TypeError) as exc:
        raise StackError(f"invalid stack file {path}: {exc!r}") from exc
    if not specs:
        raise StackError(f"stack file {path} defines no [services.*]")
    return specs


SERVICE_URL = re.compile(r"\{([a-z][a-z0-9-]*)\.url\}")


def resolve_urls(value: str, urls: Mapping[str, str]) -> str:
    """``{listening.url}`` in a stack-file setting becomes that service's base URL."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in urls:
            raise StackError(f"setting {value!r} refers to {name!r}, not an HTTP service")
        return urls[name]

    return SERVICE_URL.sub(replace, value)


def executable(name: str) -> str:
    """A command from this environment's bin directory, else from ``PATH``."""
    local = Path(sys.executable).parent / name
    if local.is_file():
        return str(local)
    return shutil.which(name) or name


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


class Child:
    """A running service: its process group, and a reader that prefixes and keeps its output."""

    def __init__(self, spec: ServiceSpec, port: int | None, env: Mapping[str, str], out: Output):
        self.spec, self.port = spec, port
        self.tail: deque[str] = deque(maxlen=TAIL_LINES)
        command = [executable(spec.command[0]), *spec.command[1:]]
        try:
            self.process = subprocess.Popen(
                command,
                env=dict(env),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # own process group: the terminal's Ctrl-C is ours
                preexec_fn=_stop_with_parent,
                text=True,
                errors="replace",
            )
        except OSError as exc:
            raise StackError(f"{spec.name}: cannot start {command[0]!r}: {exc}") from exc
        assert self.process.stdout is not None
        self.reader = threading.Thread(
            target=self._pump, args=(self.process.stdout, out), daemon=True
        )
        self.reader.start()

    @property
    def base_url(self) -> str | None:
        return f"http://127.0.0.1:{self.port}" if self.port is not None else None

    def _pump(self, stream: IO[str], out: Output) -> None:
        for line in stream:
            self.tail.append(line.rstrip("\n"))
            out.line(self.spec.name, line.rstrip("\n"))

    def last_output(self) -> str:
        return "\n".join(f"    {line}" for line in self.tail) or "    (no output)"

    def exited(self, what: str) -> StackError:
        """The error for a service that is gone, with its exit code and last lines of output."""
        self.reader.join(timeout=2)
        return StackError(
            f"{self.spec.name} {what} (exit code {self.process.returncode}); "
            f"last output:\n{self.last_output()}"
        )

    def signal_group(self, sig: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)


class Output:
    """Line-buffered, thread-safe console output with a service-name column."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.lock = threading.Lock()

    def line(self, source: str, text: str) -> None:
        with self.lock:
            sys.stdout.write(f"{source:<{self.width}} | {text}\n")
            sys.stdout.flush()

    def say(self, text: str) -> None:
        self.line("dev", text)

    def table(self, table: Table) -> None:
        with self.lock:
            Console(width=max(shutil.get_terminal_size().columns, 100)).print(table)
            sys.stdout.flush()


def stop_all(children: Sequence[Child], grace: float = STOP_GRACE_SECONDS) -> None:
    """SIGTERM every process group, wait up to ``grace`` seconds, then SIGKILL what is left."""
    for child in children:
        if child.process.poll() is None:
            child.signal_group(signal.SIGTERM)
    deadline = time.monotonic() + grace
    for child in children:
        try:
            child.process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.signal_group(signal.SIGKILL)
            child.process.wait()
        child.signal_group(signal.SIGKILL)  # stragglers the service left in its group
        child.reader.join(timeout=2)


def ready_status(child: Child, client: httpx.Client) -> str | None:
    """The readiness status once ``/ready`` answers 200, else None."""
    if child.base_url is None:
        return "running"
    try:
        response = client.get(child.base_url + child.spec.ready)
    except httpx.HTTPError:
        return None
    if response.status_code != 200:
        return None
    try:
        body = response.json()
    except ValueError:  # a plain-text health answer (Streamlit's "ok")
        return "ready"
    return str(body.get("status", "ready")) if isinstance(body, dict) else "ready"


def wait_until_ready(
    children: Sequence[Child], timeout: float, stop: threading.Event
) -> dict[str, str]:
    """Poll every service's readiness until all answer, one exits, or time runs out."""
    pending = {child.spec.name: child for child in children}
    statuses: dict[str, str] = {}
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=2.0) as client:
        while pending and not stop.is_set():
            for name, child in list(pending.items()):
                if child.process.poll() is not None:
                    raise child.exited("failed to start")
                status = ready_status(child, client)
                if status is not None:
                    statuses[name] = status
                    del pending[name]
            if pending and time.monotonic() > deadline:
                name, child = next(iter(pending.items()))
                raise StackError(
                    f"{name} was not ready at {child.base_url}{child.spec.ready} within "
                    f"{timeout:.0f}s; last output:\n{child.last_output()}"
                )
            stop.wait(POLL_SECONDS)
    return statuses


def stack_table(children: Sequence[Child], statuses: Mapping[str, str]) -> Table:
    """Where each service is: base URL, interactive API docs and readiness."""
    table = Table(title="SoundStream stack")
    for column in ("service", "URL", "API docs", "status"):
        table.add_column(column)
    for child in children:
        url = child.base_url
        docs = f"{url}{child.spec.docs}" if url else "-"
        table.add_row(child.spec.name, url or "-", docs, statuses.get(child.spec.name, "-"))
    return table


@dataclass
class StackRunner:
    """Everything ``soundstream-admin dev`` does, from migrations to the final clean stop."""

    specs: Sequence[ServiceSpec]
    data_dir: Path
    port_offset: int = 0
    load_data: bool = True
    ready_timeout: float = 60.0
    stop: threading.Event = field(default_factory=threading.Event)
    redis_url: str | None = None  # the stack's Redis, once :meth:`start_redis` found one
    # The gateway's bootstrap admin key: the operator's, else one made up for this run (shown
    # once the stack is up); the dashboard uses it unless DASHBOARD_API_KEY says otherwise.
    admin_key: str = field(default_factory=lambda: os.environ.get(ADMIN_KEY_VARIABLE, ""))
    admin_key_generated: bool = False

    def __post_init__(self) -> None:
        if not self.admin_key:
            self.admin_key = "ss_dev_" + secrets.token_urlsafe(24)
            self.admin_key_generated = True

    def service_urls(self) -> dict[str, str]:
        """Where each HTTP service of the stack answers, by name."""
        return {
            spec.name: f"http://127.0.0.1:{port}"
            for spec in self.specs
            if (port := self.port(spec)) is not None
        }

    def base_env(self) -> dict[str, str]:
        """The environment plus the shared data directory and each service's own settings."""
        env = {**os.environ, "SOUNDSTREAM_DATA_DIR": str(self.data_dir), "PYTHONUNBUFFERED": "1"}
        urls = self.service_urls()
        for spec in self.specs:
            env.update({key: resolve_urls(value, urls) for key, value in spec.env.items()})
            env.setdefault(f"{spec.env_prefix}LOG_DIR", str(self.data_dir / "logs" / spec.name))
            if spec.redis and self.redis_url is not None:
                env.setdefault(f"{spec.env_prefix}REDIS_URL", self.redis_url)
            if sys.stdout.isatty():  # readable logs on a terminal, JSON when piped
                env.setdefault(f"{spec.env_prefix}LOG_JSON", "false")
        env[ADMIN_KEY_VARIABLE] = self.admin_key
        env.setdefault(DASHBOARD_KEY_VARIABLE, self.admin_key)
        return env

    def port(self, spec: ServiceSpec) -> int | None:
        return spec.port + self.port_offset if spec.port is not None else None

    def service_env(self, spec: ServiceSpec) -> dict[str, str]:
        env = self.base_env()
        port = self.port(spec)
        if port is not None:
            env[f"{spec.env_prefix}PORT"] = str(port)
        return env

    def admin(self, out: Output, *args: str) -> None:
        """Run another ``soundstream-admin`` command; its output passes straight through.

        A stop request (Ctrl-C, SIGTERM) terminates it and returns quietly.
        """
        out.say(f"soundstream-admin {' '.join(args)}")
        process = subprocess.Popen([executable("soundstream-admin"), *args], env=self.base_env())
        while process.poll() is None:
            if self.stop.wait(POLL_SECONDS):
                process.terminate()
                try:
                    process.wait(timeout=STOP_GRACE_SECONDS)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        if process.returncode != 0 and not self.stop.is_set():
            raise StackError(
                f"soundstream-admin {' '.join(args)} failed (exit {process.returncode})"
            )

    def check_ports(self) -> None:
        for spec in self.specs:
            port = self.port(spec)
            if port is not None and not port_is_free(port):
                raise StackError(
                    f"{spec.name}: port {port} is already in use "
                    "(is a stack already running? try --port-offset)"
                )

    def start_redis(self, out: Output) -> StackRedis | None:
        """Find or start the stack's Redis and say plainly which one it is.

        A service whose ``<PREFIX>REDIS_URL`` is set keeps it (it must answer; empty means the
        operator turned Redis off for it, which is said too). The others share the server at
        ``REDIS_URL`` when it answers, else a ``redis-server`` or embedded server started here.
        """
        explicit = {}
        for spec in self.specs:
            key = f"{spec.env_prefix}REDIS_URL"
            if spec.redis and key in os.environ:
                explicit[key] = os.environ[key]
        for key, url in sorted(explicit.items()):
            if not url:
                out.say(f"Redis: {key} is empty, so that service runs WITHOUT cache and events")
            elif not redis_answers(url):
                raise StackError(f"{key}={url} is set but no Redis server answers there")
            else:
                out.say(f"Redis: {key} -> {url}")
        if all(f"{s.env_prefix}REDIS_URL" in explicit for s in self.specs if s.redis):
            return None
        try:
            redis = provide_redis(os.environ.get("REDIS_URL"), self.data_dir / "redis")
        except RedisUnavailableError as exc:
            raise StackError(f"no Redis for the stack: {exc}") from exc
        self.redis_url = redis.url
        out.say(f"Redis: {redis.description}")
        return redis

    def run(self) -> int:
        out = Output(width=max(3, *(len(s.name) for s in self.specs)))
        self.data_dir.mkdir(parents=True, exist_ok=True)
        out.say(f"data directory {self.data_dir}")
        self.check_ports()
        redis = self.start_redis(out)
        children: list[Child] = []
        previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
        received: list[str] = []

        def on_signal(signum: int, _frame: FrameType | None) -> None:
            received.append(signal.Signals(signum).name)
            self.stop.set()

        for sig in previous:
            signal.signal(sig, on_signal)
        try:
            for step in ["migrate", "import"] if self.load_data else ["migrate"]:
                if not self.stop.is_set():
                    self.admin(out, step)
            for spec in self.specs:
                if not self.stop.is_set():
                    children.append(Child(spec, self.port(spec), self.service_env(spec), out))
            statuses = wait_until_ready(children, self.ready_timeout, self.stop)
            if not self.stop.is_set():
                out.table(stack_table(children, statuses))
                if self.admin_key_generated:
                    out.say(f"admin API key of this run ({ADMIN_KEY_VARIABLE}): {self.admin_key}")
                out.say("stack is up; Ctrl-C stops it")
            while not self.stop.wait(POLL_SECONDS):
                for child in children:
                    if child.process.poll() is not None:
                        raise child.exited("exited unexpectedly")
            out.say(f"{received[0] if received else 'stop'} received: stopping the stack")
            return 0
        finally:
            stop_all(children)
            if redis is not None:
                redis.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def run_stack(
    *,
    stack: Path | None = None,
    port_offset: int = 0,
    load_data: bool = True,
    ready_timeout: float = 60.0,
) -> int:
    """Entry point of ``soundstream-admin dev``: the process exit code."""
    data_dir = Path(os.environ.get("SOUNDSTREAM_DATA_DIR", "var")).resolve()
    try:
        specs = load_stack(find_stack_file(stack))
        runner = StackRunner(specs, data_dir, port_offset, load_data, ready_timeout)
        return runner.run()
    except StackError as exc:
        sys.stderr.write(f"soundstream-admin dev: {exc}\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("soundstream-admin dev: interrupted\n")
        return 130
