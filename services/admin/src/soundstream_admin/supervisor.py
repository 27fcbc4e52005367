"""The supervision of a running stack: a child that exits is started again after a growing
delay while the others keep serving; one that keeps crashing stops the stack."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from soundstream_admin.children import Child, Output, ready_status
from soundstream_admin.stack import ServiceSpec, StackError

# Restarts: the first after RESTART_DELAY seconds, each next one twice as late (at most
# MAX_RESTART_DELAY). A child that ran STABLE_SECONDS since its start has recovered: its
# count starts again. More than MAX_RESTARTS quick exits in a row stop the stack.
RESTART_DELAY = 0.5
MAX_RESTART_DELAY = 30.0
STABLE_SECONDS = 60.0
MAX_RESTARTS = 5


@dataclass
class _Health:
    """One service's supervision record."""

    started: float
    quick_exits: int = 0  # exits in a row, each before STABLE_SECONDS of running
    restart_at: float | None = None  # when to start it again, while it is down
    awaiting_ready: bool = False  # restarted, not yet answering its readiness check


class Supervisor:
    """Keeps the stack's children running once the stack is up.

    A child that exits is restarted after ``RESTART_DELAY`` seconds, doubling with each quick
    exit in a row (up to ``MAX_RESTART_DELAY``); the runner says when it exited, when it
    comes back and when it answers its readiness check again. After more than
    ``max_restarts`` quick exits in a row, :meth:`check` raises :class:`StackError`.
    """

    def __init__(
        self,
        children: list[Child],
        start: Callable[[ServiceSpec], Child],
        out: Output,
        *,
        max_restarts: int = MAX_RESTARTS,
    ) -> None:
        self.children = children  # replaced in place, so the final stop sees every process
        self.start = start
        self.out = out
        self.max_restarts = max_restarts
        now = time.monotonic()
        self.health = {child.spec.name: _Health(started=now) for child in children}
        self.client = httpx.Client(timeout=2.0)

    def close(self) -> None:
        self.client.close()

    def check(self) -> None:
        """One round: notice exits, start what is due, report what answers again."""
        for index, child in enumerate(self.children):
            name = child.spec.name
            health = self.health[name]
            now = time.monotonic()
            if health.restart_at is not None:
                if now >= health.restart_at:
                    try:
                        self.children[index] = self.start(child.spec)
                    except StackError as exc:  # a failed start counts as a quick exit
                        self._schedule_restart(name, health, f"could not start again ({exc})")
                        continue
                    health.started, health.restart_at = now, None
                    health.awaiting_ready = True
                    pid = self.children[index].process.pid
                    self.out.say(f"{name} restarted (pid {pid})")
                continue
            if child.process.poll() is not None:
                self._exited(child, health, now)
            elif health.awaiting_ready and ready_status(child, self.client) is not None:
                health.awaiting_ready = False
                self.out.say(f"{name} is serving again")

    def _exited(self, child: Child, health: _Health, now: float) -> None:
        child.signal_group(signal.SIGKILL)  # what it left behind in its process group
        child.reader.join(timeout=2)
        code = child.process.returncode
        ran = now - health.started
        if ran >= STABLE_SECONDS:
            health.quick_exits = 0
        if health.quick_exits + 1 > self.max_restarts:
            raise child.exited(
                f"keeps crashing ({health.quick_exits + 1} exits in a row, each within "
                f"{STABLE_SECONDS:.0f}s of its start)"
            )
        self._schedule_restart(
            child.spec.name, health, f"exited (exit code {code}) after {ran:.1f}s"
        )

    def _schedule_restart(self, name: str, health: _Health, what: str) -> None:
        """One more quick exit: the next start after a delay that doubles with each."""
        health.quick_exits += 1
        if health.quick_exits > self.max_restarts:
            raise StackError(f"{name} {what}, {health.quick_exits} times in a row")
        delay = min(MAX_RESTART_DELAY, RESTART_DELAY * 2 ** (health.quick_exits - 1))
        health.restart_at = time.monotonic() + delay
        health.awaiting_ready = False
        self.out.say(
            f"{name} {what}; restarting in {delay:.1f}s "
            f"(restart {health.quick_exits} of at most {self.max_restarts} in a row)"
        )
