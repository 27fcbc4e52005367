"""The Redis server of the local stack (``soundstream-admin dev``).

The services need Redis for their cache, their domain events and the Celery broker, so the
runner never starts them without one. In this order it uses:

1. the server at ``REDIS_URL`` (default ``redis://127.0.0.1:6379/0``) when it answers;
2. else a ``redis-server`` it starts itself, when one is installed (its data is kept in
   ``<data dir>/redis``);
3. else an embedded Redis-protocol server from the ``fakeredis`` package, in the runner's own
   process (in memory: models, events and queued tasks are lost when the stack stops); the
   package is the optional ``embedded-redis`` extra (the workspace installs it).

Whichever it is, :attr:`StackRedis.description` says so plainly for the runner's output.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import redis

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
START_TIMEOUT_SECONDS = 10.0
EMBEDDED_EXTRA = "soundstream-admin[embedded-redis]"


class RedisUnavailableError(Exception):
    """No Redis could be found or started for the stack."""


@dataclass
class StackRedis:
    """The Redis the stack uses: its URL, where it came from, and how to stop it."""

    url: str
    source: str  # "REDIS_URL", "redis-server" or "embedded"
    description: str
    stop: Callable[[], None] = field(default=lambda: None)


def redis_answers(url: str, timeout: float = 1.0) -> bool:
    """True when a Redis server answers PING at ``url``."""
    client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        return bool(client.ping())
    except (redis.RedisError, OSError, ValueError):
        return False
    finally:
        client.close()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_answering(url: str, alive: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not redis_answers(url, timeout=0.5):
        if not alive() or time.monotonic() > deadline:
            raise RedisUnavailableError(f"{what} did not answer at {url}")
        time.sleep(0.05)


def start_redis_server(executable: str, data_dir: Path) -> StackRedis:
    """A ``redis-server`` child on a free loopback port, persisting into ``data_dir``."""
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    command = [executable, "--bind", "127.0.0.1", "--port", str(port), "--dir", str(data_dir)]
    command += ["--save", "60 1", "--appendonly", "no", "--protected-mode", "yes"]
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )

    def stop() -> None:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    try:
        wait_until_answering(url, lambda: process.poll() is None, executable)
    except RedisUnavailableError:
        stop()
        raise
    return StackRedis(
        url,
        "redis-server",
        f"started {executable} at {url} (data kept in {data_dir}; stopped with the stack)",
        stop,
    )


def start_embedded() -> StackRedis:
    """The embedded Redis-protocol server (fakeredis) on a free loopback port, in a thread."""
    try:
        from fakeredis import TcpFakeServer
    except ImportError as exc:
        raise RedisUnavailableError(
            "no redis-server is installed, and the embedded Redis server needs the optional "
            f'fakeredis package: install redis-server, or pip install "{EMBEDDED_EXTRA}"'
        ) from exc

    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    server = TcpFakeServer(("127.0.0.1", port), server_type="redis")
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="embedded-redis", daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    try:
        wait_until_answering(url, thread.is_alive, "the embedded Redis server")
    except RedisUnavailableError:
        stop()
        raise
    return StackRedis(
        url,
        "embedded",
        f"no redis-server is installed: started the embedded Redis-protocol server (fakeredis) "
        f"at {url}; it keeps everything in memory, so models, events and queued tasks are "
        "lost when the stack stops (for development only)",
        stop,
    )


def provide_redis(
    preferred: str | None, data_dir: Path, *, redis_server: str | None = None
) -> StackRedis:
    """The stack's Redis: ``preferred`` when it answers, else ``redis-server``, else embedded.

    ``redis_server`` is the ``redis-server`` executable (default: looked up on ``PATH``).
    """
    url = preferred or DEFAULT_REDIS_URL
    if redis_answers(url):
        return StackRedis(url, "REDIS_URL", f"using the Redis server at {url}")
    executable = redis_server or shutil.which("redis-server")
    reason = f"nothing answers at {url}"
    if executable:
        started = start_redis_server(executable, data_dir)
        started.description = f"{reason}: {started.description}"
        return started
    try:
        embedded = start_embedded()
    except RedisUnavailableError as exc:
        raise RedisUnavailableError(f"{reason}; {exc}") from exc
    embedded.description = f"{reason}; {embedded.description}"
    return embedded
