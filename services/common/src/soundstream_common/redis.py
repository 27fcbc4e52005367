"""A Redis connection that fails fast and backs off, so Redis trouble never stalls a request.

After a failure the handle reports Redis as unavailable for ``cooldown`` seconds (no call is
attempted), then tries again: the service degrades (uncached answers, events kept in the
outbox) and recovers by itself.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import redis
import redis.asyncio as redis_async
from loguru import logger

T = TypeVar("T")


class RedisHandle:
    def __init__(
        self,
        url: str,
        *,
        socket_timeout: float = 0.5,
        cooldown: float = 2.0,
        client: redis.Redis | None = None,
        max_connections: int | None = None,
    ) -> None:
        self.url = url
        self.cooldown = cooldown
        self.client: redis.Redis = client or redis.Redis.from_url(
            url,
            socket_timeout=socket_timeout,
            socket_connect_timeout=socket_timeout,
            health_check_interval=30,
        )
        self._socket_timeout = socket_timeout
        self._max_connections = max_connections
        self._async_client: redis_async.Redis | None = None
        self._down_until = 0.0
        self._lock = threading.Lock()

    @property
    def async_client(self) -> redis_async.Redis:
        """A ``redis.asyncio`` client to the same server, for reads on the event loop.

        Created on first use, so its connections belong to the loop that serves requests.
        """
        if self._async_client is None:
            self._async_client = redis_async.Redis.from_url(
                self.url,
                socket_timeout=self._socket_timeout,
                socket_connect_timeout=self._socket_timeout,
                health_check_interval=30,
                max_connections=self._max_connections,
            )
        return self._async_client

    @property
    def available(self) -> bool:
        return time.monotonic() >= self._down_until

    def mark_down(self, exc: BaseException) -> None:
        with self._lock:
            if self.available:
                logger.warning("redis unavailable ({}); retrying in {}s", exc, self.cooldown)
            self._down_until = time.monotonic() + self.cooldown

    def call(self, fn: Callable[[redis.Redis], T]) -> T | None:
        """Run ``fn(client)``; ``None`` when Redis is (or just went) unavailable."""
        if not self.available:
            return None
        try:
            return fn(self.client)
        except (redis.ConnectionError, redis.TimeoutError, OSError) as exc:
            self.mark_down(exc)
            return None

    async def call_async(self, fn: Callable[[redis_async.Redis], Awaitable[T]]) -> T | None:
        """Like :meth:`call`, with the asynchronous client."""
        if not self.available:
            return None
        try:
            return await fn(self.async_client)
        except (redis.ConnectionError, redis.TimeoutError, OSError) as exc:
            self.mark_down(exc)
            return None

    def ping(self) -> str:
        """Readiness probe: raises when Redis does not answer."""
        self.client.ping()
        self._down_until = 0.0
        return "pong"

    def close(self) -> None:
        self.client.close()

    async def close_async(self) -> None:
        """Close both clients (from the loop that used the asynchronous one)."""
        if self._async_client is not None:
            await self._async_client.aclose()
            self._async_client = None
        self.close()
