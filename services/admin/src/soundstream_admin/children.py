"""The stack's child processes: starting each in its own process group, prefixing and
keeping its output, waiting for its readiness check, and stopping them all cleanly."""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO

import httpx
from rich.console import Console
from rich.table import Table

from soundstream_admin.stack import ServiceSpec, StackError

STOP_GRACE_SECONDS = 10.0
TAIL_LINES = 20
PR_SET_PDEATHSIG = 1  # linux/prctl.h
POLL_SECONDS = 0.2

# libc, loaded here once: between fork and exec, in a runner with reader threads, the child
# must run as little as possible (no library loading, no import): only the prctl call.
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None
_SIGTERM = int(signal.SIGTERM)


def _stop_with_parent() -> None:
    """In the child, before exec: get SIGTERM if the runner dies, even by SIGKILL (Linux)."""
    if _LIBC is not None:
        _LIBC.prctl(PR_SET_PDEATHSIG, _SIGTERM)


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
        except (OSError, subprocess.SubprocessError) as exc:
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
