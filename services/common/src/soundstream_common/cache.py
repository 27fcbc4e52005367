"""Read-through response cache in Redis with group invalidation.

Keys embed a per-group generation number (``cache:<ns>:<group>:<gen>:<key>``); a write that
changes a group's data bumps the generation, so every stale entry of the group is ignored at
once (and expires by TTL). When Redis is unavailable the cache is bypassed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable

from soundstream_common.redis import RedisHandle


class ResponseCache:
    def __init__(self, redis: RedisHandle | None, namespace: str, *, ttl: int = 300) -> None:
        self.redis = redis
        self.namespace = namespace
        self.ttl = ttl
        self.hits = 0
        self.misses = 0
        # Groups whose invalidation could not reach Redis; bumped as soon as it answers again.
        self._pending: set[str] = set()

    def _gen_key(self, group: str) -> str:
        return f"cache:{self.namespace}:gen:{group}"

    @staticmethod
    def _digest(key: str) -> str:
        return hashlib.blake2b(key.encode(), digest_size=16).hexdigest()

    def get_or_compute(
        self, group: str, key: str, compute: Callable[[], bytes], *, ttl: int | None = None
    ) -> bytes:
        """The cached bytes for ``key`` in ``group``, computing and storing them on a miss."""
        if self.redis is None:
            return compute()
        if self._pending:
            self.invalidate(set(self._pending))
        generation = self.redis.call(lambda r: r.get(self._gen_key(group)))
        if generation is None and not self.redis.available:
            return compute()
        gen = generation.decode() if isinstance(generation, bytes) else "0"
        full_key = f"cache:{self.namespace}:{group}:{gen}:{self._digest(key)}"
        cached = self.redis.call(lambda r: r.get(full_key))
        if isinstance(cached, bytes):
            self.hits += 1
            return cached
        self.misses += 1
        value = compute()
        self.redis.call(lambda r: r.set(full_key, value, ex=ttl or self.ttl))
        return value

    def invalidate(self, groups: Iterable[str]) -> None:
        """Make every cached entry of ``groups`` stale."""
        if self.redis is None:
            return
        groups = set(groups)
        keys = [self._gen_key(group) for group in groups]

        def bump(client: object) -> bool:
            pipe = client.pipeline(transaction=False)  # type: ignore[attr-defined]
            for key in keys:
                pipe.incr(key)
            pipe.execute()
            return True

        if self.redis.call(bump):
            self._pending -= groups
        else:
            self._pending |= groups
