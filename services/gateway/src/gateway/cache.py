"""Short-lived response cache for public GETs in Redis, with strong ETags.

An entry holds the ETag, the content type and the body of a 200 answer and the template of
the route that made it, under a key made of the gateway-wide generation and the request's
path and query. Every successful write through the gateway bumps the generation, so the
gateway never serves its own stale answer after a write it forwarded; changes made elsewhere
show after the TTL (``GATEWAY_CACHE_TTL_SECONDS``).
Without Redis the cache is bypassed.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from dataclasses import dataclass
from typing import Any

from soundstream_common.redis import RedisHandle

GENERATION_KEY = "gateway:cache:generation"
# "v2": entries name their route (entries of the earlier layout are never read).
ENTRY_PREFIX = "gateway:cache:entry:v2:"
# Where a request's state keeps the lookup the cached-read path made for it.
EDGE_LOOKUP = "cache_lookup"

# One round trip: the current generation, the entry stored under it and its time to live (ms).
LOOKUP_SCRIPT = """
local generation = redis.call('GET', KEYS[1]) or '0'
local key = ARGV[1] .. generation .. ':' .. ARGV[2]
return {generation, redis.call('GET', key), redis.call('PTTL', key)}
"""


def etag_of(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 weak comparison of ``If-None-Match`` against ``etag``."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    candidates = (tag.strip().removeprefix("W/") for tag in if_none_match.split(","))
    return etag in candidates


def cache_key(scope: Any) -> str:
    """The key of a GET's answer: its path and query string, as routed."""
    return f"{scope['path']}?{scope['query_string'].decode('latin-1')}"


@dataclass(frozen=True)
class CachedResponse:
    etag: str
    media_type: str
    body: bytes
    route: str = ""
    """The template of the route that answered (``/v1/artists/{artist_id}``)."""

    def encode(self) -> bytes:
        head = (self.etag, self.media_type, self.route)
        return b"\n".join((*(part.encode() for part in head), self.body))

    @classmethod
    def decode(cls, raw: bytes) -> CachedResponse:
        etag, media_type, route, body = raw.split(b"\n", 3)
        return cls(etag.decode(), media_type.decode(), body, route.decode())


@dataclass(frozen=True)
class Lookup:
    generation: str
    entry: CachedResponse | None


@dataclass(frozen=True)
class _Held:
    """An entry this process keeps: valid under ``generation`` until ``expires`` (monotonic)."""

    generation: str
    expires: float
    entry: CachedResponse


class ResponseCache:
    """Redis holds the entries every process shares. Each process also keeps the entries it
    saw, up to ``LOCAL_BYTES`` of bodies, for as long as Redis keeps them, and serves them while
    the generation is the one they were made under. It learns the generation from Redis at
    most ``GENERATION_SECONDS`` apart (one read shared by the requests of that moment), and at
    once from its own writes: a write forwarded by another process is seen within that time,
    and a held answer costs no Redis round trip."""

    GENERATION_SECONDS = 0.1
    LOCAL_BYTES = 64 * 1024 * 1024

    def __init__(self, store: RedisHandle | None, *, ttl_seconds: int) -> None:
        self.store = store
        self.ttl = ttl_seconds
        self._lookup: Any = store.async_client.register_script(LOOKUP_SCRIPT) if store else None
        self._local: dict[str, _Held] = {}
        self._local_bytes = 0
        self._generation: str | None = None
        self._generation_read_at = float("-inf")
        self._generation_read: asyncio.Task[None] | None = None
        self._invalidated_at = float("-inf")

    def _remember(self, key: str, generation: str, entry: CachedResponse, seconds: float) -> None:
        """Keep ``entry`` here for ``seconds``; the oldest kept go first beyond the byte budget."""
        if key in self._local:
            self._local_bytes -= len(self._local.pop(key).entry.body)
        self._local[key] = _Held(generation, time.monotonic() + seconds, entry)
        self._local_bytes += len(entry.body)
        while self._local_bytes > self.LOCAL_BYTES and self._local:
            oldest = next(iter(self._local))
            self._local_bytes -= len(self._local.pop(oldest).entry.body)

    def _forget_all(self) -> None:
        self._local.clear()
        self._local_bytes = 0

    async def _current_generation(self) -> str | None:
        """The generation as Redis told it at most ``GENERATION_SECONDS`` ago (None: Redis
        did not answer)."""
        if time.monotonic() - self._generation_read_at >= self.GENERATION_SECONDS:
            if self._generation_read is None:
                self._generation_read = asyncio.create_task(self._read_generation())
            await asyncio.shield(self._generation_read)
        return self._generation

    async def _read_generation(self) -> None:
        assert self.store is not None
        started = time.monotonic()

        async def read(client: Any) -> bytes | None:
            value: bytes | None = await client.get(GENERATION_KEY)
            return value

        try:
            value = await self.store.call_async(read)
            if started >= self._invalidated_at:  # else this process's own write is newer
                self._generation = (value or b"0").decode() if self.store.available else None
                self._generation_read_at = started
        finally:
            self._generation_read = None

    @staticmethod
    def _digest(key: str) -> str:
        return hashlib.blake2b(key.encode(), digest_size=16).hexdigest()

    async def get(self, key: str) -> Lookup | None:
        """The entry for ``key`` (``entry`` None on a miss); None when Redis is unavailable."""
        if self.store is None:
            return None
        generation = await self._current_generation()
        if generation is None:
            return None
        held = self._local.get(key)
        if held is not None and held.generation == generation and held.expires > time.monotonic():
            return Lookup(generation, held.entry)

        async def lookup(client: Any) -> list[Any]:
            result: list[Any] = await self._lookup(
                keys=[GENERATION_KEY], args=[ENTRY_PREFIX, self._digest(key)], client=client
            )
            return result

        found = await self.store.call_async(lookup)
        if found is None:
            return None
        raw_generation, raw, ttl_ms = found
        generation = raw_generation.decode() if isinstance(raw_generation, bytes) else "0"
        entry = CachedResponse.decode(raw) if isinstance(raw, bytes) else None
        if entry is not None and isinstance(ttl_ms, int) and ttl_ms > 0:
            self._remember(key, generation, entry, ttl_ms / 1000)
        return Lookup(generation, entry)

    async def put(self, key: str, generation: str, entry: CachedResponse) -> None:
        if self.store is None:
            return
        self._remember(key, generation, entry, float(self.ttl))
        full_key = f"{ENTRY_PREFIX}{generation}:{self._digest(key)}"

        async def store(client: Any) -> None:
            await client.set(full_key, entry.encode(), ex=self.ttl)

        await self.store.call_async(store)

    async def invalidate(self) -> None:
        """Make every cached answer stale (after a write)."""
        if self.store is None:
            return
        self._forget_all()

        async def bump(client: Any) -> int:
            generation: int = await client.incr(GENERATION_KEY)
            return generation

        self._invalidated_at = time.monotonic()
        generation = await self.store.call_async(bump)
        if generation is not None:
            self._generation = str(generation)
            self._generation_read_at = self._invalidated_at
