"""Fixed-window rate limits per API key (per client address for anonymous calls), in Redis.

Every gateway process shares the counters in Redis. When Redis is unavailable the limiter
does not fail open: each process counts in its own memory with the same limits (so a client
may get up to N times its limit across N processes) until Redis answers again, and the
readiness report says the gateway is degraded.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

from soundstream_common.redis import RedisHandle

RATE_LIMIT_HEADERS = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")


@dataclass(frozen=True)
class RateLimitDecision:
    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int

    def headers(self) -> dict[str, str]:
        values = (self.limit, self.remaining, self.reset_seconds)
        headers = {name: str(value) for name, value in zip(RATE_LIMIT_HEADERS, values, strict=True)}
        if not self.allowed:
            headers["Retry-After"] = str(self.reset_seconds)
        return headers


@dataclass
class _Counter:
    """One identity's count in the current window, as this process knows it."""

    window: int
    total: int = 0  # the shared count Redis last answered
    pending: int = 0  # requests counted here, not yet added in Redis
    synced_at: float = float("-inf")


class RateLimiter:
    """Counts in Redis, without a round trip on every request while a caller is far from its
    limit: requests are added in Redis in batches (at most ``SYNC_EVERY`` requests or
    ``SYNC_SECONDS`` apart) until half the limit is used, then one by one. Several processes may
    so admit a few requests too many near a busy caller's limit, never many."""

    SYNC_EVERY = 16
    SYNC_SECONDS = 0.5

    def __init__(self, store: RedisHandle | None, *, window_seconds: int) -> None:
        self.store = store
        self.window = window_seconds
        self._counters: dict[str, _Counter] = {}
        self._local: dict[str, int] = {}
        self._local_window = -1

    async def hit(self, identity: str, limit: int) -> RateLimitDecision:
        """Count one request of ``identity`` and say whether it is within ``limit``."""
        now = time.time()
        window = int(now // self.window)
        reset = max(1, math.ceil((window + 1) * self.window - now))
        count = await self._count_shared(identity, window, limit)
        if count is None:
            count = self._count_locally(identity, window)
        return RateLimitDecision(
            allowed=count <= limit,
            limit=limit,
            remaining=max(0, limit - count),
            reset_seconds=reset,
        )

    def _counter(self, identity: str, window: int) -> _Counter:
        counter = self._counters.get(identity)
        if counter is None or counter.window != window:
            if len(self._counters) > 10_000:
                self._counters = {k: c for k, c in self._counters.items() if c.window == window}
            counter = self._counters[identity] = _Counter(window)
        return counter

    async def _count_shared(self, identity: str, window: int, limit: int) -> int | None:
        if self.store is None or not self.store.available:
            return None
        counter = self._counter(identity, window)
        counter.pending += 1
        estimate = counter.total + counter.pending
        now = time.monotonic()
        if (
            estimate * 2 < limit
            and counter.pending < self.SYNC_EVERY
            and now - counter.synced_at < self.SYNC_SECONDS
        ):
            return estimate
        batch, counter.pending = counter.pending, 0
        key = f"gateway:ratelimit:{identity}:{window}"

        async def add(client: Any) -> int:
            pipe = client.pipeline(transaction=False)
            pipe.incrby(key, batch)
            pipe.expire(key, self.window + 1, nx=True)
            count, _ = await pipe.execute()
            return int(count)

        total = await self.store.call_async(add)
        if total is None:
            return None
        counter.total = max(counter.total, total)
        counter.synced_at = now
        return total + counter.pending

    def _count_locally(self, identity: str, window: int) -> int:
        if window != self._local_window:
            self._local.clear()
            self._local_window = window
        self._local[identity] = self._local.get(identity, 0) + 1
        return self._local[identity]
