"""Short-lived response cache for public GETs in Redis, with strong ETags.

An entry holds the ETag, the content type and the body of a 200 answer and the template of
the route that made it, under a key made of the gateway-wide generation and the request's
path and query. Every successful write through
the gateway bumps the generation, so the gateway never serves its own stale answer after a
write it forwarded; changes made elsewhere show after the TTL (``GATEWAY_CACHE_TTL_SECONDS``).
Without Redis the cache is bypassed.
"""

from __future__ import annotations

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

# One round trip: the current generation and the entry stored under it.
LOOKUP_SCRIPT = """
local generation = redis.call('GET', KEYS[1]) or '0'
return {generation, redis.call('GET', ARGV[1] .. generation .. ':' .. ARGV[2])}
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


class ResponseCache:
    """Redis holds the entries every process shares; each process also keeps the entries it
    saw for at most ``LOCAL_SECONDS`` (cleared by its own writes), so a hot answer costs no
    Redis round trip."""

    LOCAL_SECONDS = 1.0
    LOCAL_ENTRIES = 10_000

    def __init__(self, store: RedisHandle | None, *, ttl_seconds: int) -> None:
        self.store = store
        self.ttl = ttl_seconds
        self._lookup: Any = store.async_client.register_script(LOOKUP_SCRIPT) if store else None
        self._local: dict[str, tuple[float, CachedResponse]] = {}
        self._local_seconds = min(self.LOCAL_SECONDS, float(ttl_seconds))

    def _remember(self, key: str, entry: CachedResponse) -> None:
        if len(self._local) >= self.LOCAL_ENTRIES:
            self._local.clear()
        self._local[key] = (time.monotonic() + self._local_seconds, entry)

    def _held(self, key: str) -> CachedResponse | None:
        """The entry this process holds for ``key``, if fresh."""
        remembered = self._local.get(key)
        if remembered is None or remembered[0] <= time.monotonic():
            return None
        return remembered[1]

    @staticmethod
    def _digest(key: str) -> str:
        return hashlib.blake2b(key.encode(), digest_size=16).hexdigest()

    async def get(self, key: str) -> Lookup | None:
        """The entry for ``key`` (``entry`` None on a miss); None when Redis is unavailable."""
        if self.store is None:
            return None
        remembered = self._held(key)
        if remembered is not None:
            return Lookup("local", remembered)

        async def lookup(client: Any) -> list[Any]:
            result: list[Any] = await self._lookup(
                keys=[GENERATION_KEY], args=[ENTRY_PREFIX, self._digest(key)], client=client
            )
            return result

        found = await self.store.call_async(lookup)
        if found is None:
            return None
        generation, raw = found
        entry = CachedResponse.decode(raw) if isinstance(raw, bytes) else None
        if entry is not None:
            self._remember(key, entry)
        return Lookup(generation.decode() if isinstance(generation, bytes) else "0", entry)

    async def put(self, key: str, generation: str, entry: CachedResponse) -> None:
        if self.store is None:
            return
        self._remember(key, entry)
        full_key = f"{ENTRY_PREFIX}{generation}:{self._digest(key)}"

        async def store(client: Any) -> None:
            await client.set(full_key, entry.encode(), ex=self.ttl)

        await self.store.call_async(store)

    async def invalidate(self) -> None:
        """Make every cached answer stale (after a write)."""
        if self.store is None:
            return
        self._local.clear()

        async def bump(client: Any) -> None:
            await client.incr(GENERATION_KEY)

        await self.store.call_async(bump)
