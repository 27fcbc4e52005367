"""A circuit breaker per upstream: stop calling an upstream that keeps failing, then probe it.

Closed: calls go through; ``failure_threshold`` consecutive failures open it. Open: calls are
refused at once (503 without waiting for a timeout) for ``reset_seconds``. Half-open: one
trial call goes through; its success closes the breaker, its failure opens it again, and a
call that ends without saying anything about the upstream (cancelled, failed inside the
gateway) hands the trial to the next call (:meth:`CircuitBreaker.release`): the breaker never
stays half-open with no trial running.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import StrEnum


class BreakerState(StrEnum):
    closed = "closed"
    open = "open"
    half_open = "half-open"


class CircuitBreaker:
    def __init__(
        self,
        *,
        failure_threshold: int,
        reset_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.failure_threshold = failure_threshold
        self.reset_seconds = reset_seconds
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_running = False

    @property
    def state(self) -> BreakerState:
        if self._opened_at is None:
            return BreakerState.closed
        if self._clock() - self._opened_at >= self.reset_seconds:
            return BreakerState.half_open
        return BreakerState.open

    def retry_after(self) -> float:
        """Seconds until an open breaker lets a trial call through."""
        if self._opened_at is None:
            return 0.0
        return max(0.0, self.reset_seconds - (self._clock() - self._opened_at))

    def allow(self) -> bool:
        """Whether a call may go out now (in half-open state, only one at a time)."""
        state = self.state
        if state is BreakerState.closed:
            return True
        if state is BreakerState.half_open and not self._trial_running:
            self._trial_running = True
            return True
        return False

    def record_success(self) -> None:
        self._failures = 0
        self._opened_at = None
        self._trial_running = False

    def release(self) -> None:
        """A call that tells nothing about the upstream ended: a trial may go out again."""
        self._trial_running = False

    def record_failure(self) -> None:
        self._failures += 1
        if self._trial_running or self._failures >= self.failure_threshold:
            self._opened_at = self._clock()
        self._trial_running = False
