"""Server processes of a benchmark run: started in the background, awaited, always stopped."""

from __future__ import annotations

import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks.env import REPO

STOP_SECONDS = 30.0


def wait_ready(url: str, seconds: float = 120.0) -> None:
    """Poll ``url`` until it answers 200 (bounded)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} not ready after {seconds} s")


@contextmanager
def background(
    command: list[str], env: dict[str, str], log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """A process with its output appended to ``log``, terminated (then killed) on exit."""
    with log.open("ab") as out:
        proc = subprocess.Popen(command, env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
        try:
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@contextmanager
def server(
    base: str, command: list[str], env: dict[str, str], ready: str, log: Path
) -> Iterator[str]:
    """A server process answering at ``base``: yields once ``base + ready`` answers 200."""
    with background(command, env, log):
        wait_ready(base + ready)
        yield base
