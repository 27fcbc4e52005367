"""The gateway's asynchronous Redis connection, failing fast and backing off like the chassis'.

After a failure Redis is considered unavailable for ``cooldown`` seconds (no call attempted),
so a Redis outage costs each request nothing: rate limits fall back to in-process counting and
the response cache is bypassed until Redis answers again.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import redis.asyncio as aioredis
from loguru import logger
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

T = TypeVar("T")


class RedisStore:
    def __init__(self, url: str, *, socket_timeout: float = 0.25, cooldown: float = 2.0) -> None:
        self.cooldown = cooldown
        self.client: aioredis.Redis = aioredis.Redis.from_url(
            url,
            socket_timeout=socket_timeout,
            socket_connect_timeout=socket_timeout,
            max_connections=64,
        )
        self._down_until = 0.0

    @property
    def available(self) -> bool:
        return time.monotonic() >= self._down_until

    async def call(self, fn: Callable[[aioredis.Redis], Awaitable[T]]) -> T | None:
        """``await fn(client)``; ``None`` when Redis is (or just went) unavailable."""
        if not self.available:
            return None
        try:
            return await fn(self.client)
        except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
            if self.available:
                logger.warning("redis unavailable ({}); retrying in {}s", exc, self.cooldown)
            self._down_until = time.monotonic() + self.cooldown
            return None

    async def aclose(self) -> None:
        await self.client.aclose()
