"""When a failed request is retried, and how long to wait first.

The rule
--------
* **Idempotent requests** (GET, HEAD, OPTIONS, PUT, DELETE, and POSTs the SDK knows to be pure
  queries, such as cold-start recommendations) are retried on connection errors and timeouts
  and on the statuses 408, 429, 500, 502, 503 and 504.
* **Non-idempotent requests** (other POSTs, and PATCH, which adds plays) are retried only when
  the API certainly did not act on them: the connection could not be opened (connect error,
  connect timeout, no free connection in the pool) — the request was never sent — or the
  answer is 429, which the rate limiter gives before any work is done. A read timeout or a 5xx
  on such a request is raised at once: the write may have happened.

The wait before retry ``n`` (0-based) is ``min(initial_delay * 2**n, max_delay)``, reduced by a
random fraction of up to ``jitter`` (so clients do not retry in lockstep). When the response
carries ``Retry-After`` (seconds or an HTTP date) of at most ``max_retry_after`` seconds, that
value is used instead: the server knows best when it will accept the request again.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import httpx

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
NOT_SENT_ERRORS: tuple[type[httpx.TransportError], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
)


@dataclass(frozen=True)
class RetryPolicy:
    """Capped, jittered exponential backoff."""

    initial_delay: float = 0.5
    max_delay: float = 8.0
    jitter: float = 0.25
    max_retry_after: float = 60.0

    def delay(
        self,
        retry_number: int,
        *,
        retry_after: float | None = None,
        random: Callable[[], float],
    ) -> float:
        """Seconds to wait before retry ``retry_number`` (0 for the first retry)."""
        if retry_after is not None and 0 <= retry_after <= self.max_retry_after:
            return retry_after
        base: float = min(self.initial_delay * 2**retry_number, self.max_delay)
        return base * (1 - self.jitter * random())


def is_idempotent(method: str, override: bool | None = None) -> bool:
    return override if override is not None else method.upper() in IDEMPOTENT_METHODS


def should_retry_status(status_code: int, *, idempotent: bool) -> bool:
    if status_code == 429:
        return True
    return idempotent and status_code in RETRYABLE_STATUSES


def should_retry_error(error: httpx.TransportError, *, idempotent: bool) -> bool:
    return idempotent or isinstance(error, NOT_SENT_ERRORS)


def parse_retry_after(
    headers: Mapping[str, str], *, now: Callable[[], float] = time.time
) -> float | None:
    """``Retry-After`` in seconds (delta-seconds or HTTP date), or None when absent/invalid."""
    value = headers.get("retry-after")
    if value is None:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now())
