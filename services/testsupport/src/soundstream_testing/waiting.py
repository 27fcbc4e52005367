"""Waiting for a condition: the one way a test waits for another thread or process.

A test never sleeps a fixed time to let something happen: it names what it waits for and
polls it, and fails after ``timeout`` seconds saying what never happened.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import pytest

T = TypeVar("T")

DEFAULT_TIMEOUT_SECONDS = 30.0
DEFAULT_POLL_SECONDS = 0.05


def wait_until(
    condition: Callable[[], T | None],
    *,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    what: str | Callable[[], str],
    poll: float = DEFAULT_POLL_SECONDS,
    ignoring: tuple[type[Exception], ...] = (),
) -> T:
    """The first truthy value of ``condition()``, called every ``poll`` seconds.

    After ``timeout`` seconds the test fails with "timed out waiting for <what>" (``what`` may
    be a function, called then, to add what the failure needs: a log's tail, a last state).
    Exceptions of the ``ignoring`` types count as "not yet" (a server still starting); the
    last one is shown in the failure. A condition may itself fail the test at once (a process
    that died will never answer).
    """
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while True:
        try:
            value = condition()
        except ignoring as caught:
            last_error = caught
        else:
            if value:
                return value
        if time.monotonic() >= deadline:
            break
        time.sleep(poll)
    described = what() if callable(what) else what
    last = f" (last error: {last_error!r})" if last_error is not None else ""
    pytest.fail(f"timed out after {timeout:g} s waiting for {described}{last}")
