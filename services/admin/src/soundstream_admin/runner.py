"""The local stack runner behind ``soundstream-admin dev`` (``make dev``).

Reads ``infra/stack.toml`` (the one definition of each service's command, port and
environment), finds or starts a Redis server (:mod:`soundstream_admin.local_redis`), migrates the
databases, loads the data, starts every service as a child process in its own process group,
waits until each answers ``/ready``, prints where everything is, and supervises: a child that
dies once the stack is up is restarted after a growing delay (:class:`Supervisor`) while the
others keep serving, and what happened is printed. Ctrl-C or SIGTERM stops every child
(SIGTERM, then SIGKILL after a grace period); so does a child that keeps crashing, with a
non-zero exit naming it. A child that cannot start at all stops the stack the same way.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from soundstream_admin.children import (
    POLL_SECONDS,
    STOP_GRACE_SECONDS,
    Child,
    Output,
    executable,
    port_is_free,
    stack_table,
    stop_all,
    wait_until_ready,
)
from soundstream_admin.local_redis import (
    RedisUnavailableError,
    StackRedis,
    provide_redis,
    redis_answers,
)
from soundstream_admin.stack import (
    ServiceSpec,
    StackError,
    find_stack_file,
    load_stack,
    resolve_urls,
)
from soundstream_admin.supervisor import MAX_RESTARTS, Supervisor
from soundstream_common.settings import ENVIRONMENT_VARIABLE, SERVICE_TOKEN_VARIABLE

ADMIN_KEY_VARIABLE = "GATEWAY_ADMIN_API_KEY"
DASHBOARD_KEY_VARIABLE = "DASHBOARD_API_KEY"
# One bearer token for every service's /metrics and the workers' metrics ports.
METRICS_TOKEN_VARIABLE = "SOUNDSTREAM_METRICS_TOKEN"


@dataclass
class StackRunner:
    """Everything ``soundstream-admin dev`` does, from migrations to the final clean stop."""

    specs: Sequence[ServiceSpec]
    data_dir: Path
    port_offset: int = 0
    load_data: bool = True
    ready_timeout: float = 60.0
    max_restarts: int = MAX_RESTARTS
    stop: threading.Event = field(default_factory=threading.Event)
    redis_url: str | None = None  # the stack's Redis, once :meth:`start_redis` found one
    # The gateway's bootstrap admin key: the operator's, else one made up for this run (shown
    # once the stack is up); the dashboard uses it unless DASHBOARD_API_KEY says otherwise.
    admin_key: str = field(default_factory=lambda: os.environ.get(ADMIN_KEY_VARIABLE, ""))
    admin_key_generated: bool = False
    # The token every internal call carries: the operator's, else one made up for this run.
    service_token: str = field(
        default_factory=lambda: os.environ.get(SERVICE_TOKEN_VARIABLE) or secrets.token_hex(32)
    )
    metrics_token: str = field(
        default_factory=lambda: os.environ.get(METRICS_TOKEN_VARIABLE) or secrets.token_urlsafe(32)
    )

    def __post_init__(self) -> None:
        if not self.admin_key:
            self.admin_key = "ss_dev_" + secrets.token_urlsafe(24)
            self.admin_key_generated = True

    def metrics_note(self) -> str:
        """Where the Prometheus metrics are, and the token they want."""
        workers = [
            f"{spec.name} http://127.0.0.1:{spec.metrics_port + self.port_offset}/metrics"
            for spec in self.specs
            if spec.metrics_port is not None
        ]
        where = "every API service's /metrics" + (f", {', '.join(workers)}" if workers else "")
        return f"metrics: {where}, with 'Authorization: Bearer {self.metrics_token}'"

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
            env.setdefault(f"{spec.env_prefix}METRICS_TOKEN", self.metrics_token)
        env[ADMIN_KEY_VARIABLE] = self.admin_key
        env.setdefault(DASHBOARD_KEY_VARIABLE, self.admin_key)
        # Development: the services accept the secrets made up here (production refuses them).
        env.setdefault(ENVIRONMENT_VARIABLE, "development")
        env[SERVICE_TOKEN_VARIABLE] = self.service_token
        return env

    def port(self, spec: ServiceSpec) -> int | None:
        return spec.port + self.port_offset if spec.port is not None else None

    def service_env(self, spec: ServiceSpec) -> dict[str, str]:
        env = self.base_env()
        port = self.port(spec)
        if port is not None:
            env[f"{spec.env_prefix}PORT"] = str(port)
        if spec.metrics_port is not None:
            env[f"{spec.env_prefix}WORKER_METRICS_PORT"] = str(spec.metrics_port + self.port_offset)
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

            def start(spec: ServiceSpec) -> Child:
                return Child(spec, self.port(spec), self.service_env(spec), out)

            for spec in self.specs:
                if not self.stop.is_set():
                    children.append(start(spec))
            statuses = wait_until_ready(children, self.ready_timeout, self.stop)
            if not self.stop.is_set():
                out.table(stack_table(children, statuses))
                if self.admin_key_generated:
                    out.say(f"admin API key of this run ({ADMIN_KEY_VARIABLE}): {self.admin_key}")
                out.say(self.metrics_note())
                out.say("stack is up; Ctrl-C stops it")
            supervisor = Supervisor(children, start, out, max_restarts=self.max_restarts)
            try:
                while not self.stop.wait(POLL_SECONDS):
                    supervisor.check()
            finally:
                supervisor.close()
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
    max_restarts: int = MAX_RESTARTS,
) -> int:
    """Entry point of ``soundstream-admin dev``: the process exit code."""
    data_dir = Path(os.environ.get("SOUNDSTREAM_DATA_DIR", "var")).resolve()
    try:
        specs = load_stack(find_stack_file(stack))
        runner = StackRunner(
            specs, data_dir, port_offset, load_data, ready_timeout, max_restarts=max_restarts
        )
        return runner.run()
    except StackError as exc:
        sys.stderr.write(f"soundstream-admin dev: {exc}\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("soundstream-admin dev: interrupted\n")
        return 130
