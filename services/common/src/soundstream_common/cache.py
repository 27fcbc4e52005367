"""Read-through response cache in Redis with group invalidation.

Each group has a generation number (``cache:<ns>:gen:<group>``); an entry
(``cache:<ns>:<group>:<key digest>``) is stored with the generation it was computed under,
and is served only while that is still the group's generation. A write that changes a
group's data bumps the generation, so every stale entry of the group is ignored at once
(and is overwritten by the next computation, or expires by TTL). One ``MGET`` reads both the
generation and the entry. When Redis is unavailable the cache is bypassed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Hashable, Iterable, Sequence
from typing import Any, TypeVar

import anyio.to_thread

from soundstream_common.redis import RedisHandle

_SEPARATOR = b":"
K = TypeVar("K", bound=Hashable)


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

    def _entry_key(self, group: str, key: str) -> str:
        digest = hashlib.blake2b(key.encode(), digest_size=16).hexdigest()
        return f"cache:{self.namespace}:{group}:{digest}"

    def _lookup(self, found: Any) -> tuple[bytes, bytes | None]:
        """The group's current generation and the entry's bytes if it is of that generation,
        from the ``MGET`` of the generation and entry keys."""
        generation, entry = found
        gen = generation if isinstance(generation, bytes) else b"0"
        if isinstance(entry, bytes):
            stored_gen, _, body = entry.partition(_SEPARATOR)
            if stored_gen == gen:
                self.hits += 1
                return gen, body
        self.misses += 1
        return gen, None

    def get_or_compute(
        self, group: str, key: str, compute: Callable[[], bytes], *, ttl: int | None = None
    ) -> bytes:
        """The cached bytes for ``key`` in ``group``, computing and storing them on a miss."""
        if self.redis is None:
            return compute()
        if self._pending:
            self.invalidate(set(self._pending))
        keys = [self._gen_key(group), self._entry_key(group, key)]
        found = self.redis.call(lambda r: r.mget(keys))
        if found is None:
            return compute()
        gen, body = self._lookup(found)
        if body is not None:
            return body
        value = compute()
        entry = gen + _SEPARATOR + value
        self.redis.call(lambda r: r.set(keys[1], entry, ex=ttl or self.ttl))
        return value

    def _split(
        self, keys: Sequence[K], found: Sequence[Any]
    ) -> tuple[bytes, dict[K, bytes], list[K]]:
        """From the ``MGET`` of the group's generation and each key's entry: the generation,
        the entries of that generation and the keys to compute."""
        generation = found[0] if isinstance(found[0], bytes) else b"0"
        answer: dict[K, bytes] = {}
        misses: list[K] = []
        for key, entry in zip(keys, found[1:], strict=True):
            if isinstance(entry, bytes):
                stored_gen, _, body = entry.partition(_SEPARATOR)
                if stored_gen == generation:
                    answer[key] = body
                    continue
            misses.append(key)
        self.hits += len(answer)
        self.misses += len(misses)
        return generation, answer, misses

    def _entries(
        self, group: str, key_of: Callable[[K], str], generation: bytes, computed: dict[K, bytes]
    ) -> dict[str, bytes]:
        return {
            self._entry_key(group, key_of(key)): generation + _SEPARATOR + body
            for key, body in computed.items()
        }

    def get_or_compute_many(
        self,
        group: str,
        keys: Sequence[K],
        key_of: Callable[[K], str],
        compute: Callable[[list[K]], dict[K, bytes]],
        *,
        ttl: int | None = None,
    ) -> dict[K, bytes]:
        """The cached bytes of each of ``keys`` in ``group`` (one ``MGET``), the misses
        computed together by ``compute(misses)`` and stored; a key ``compute`` leaves out is
        left out of the answer and not cached."""
        if self.redis is None or not keys:
            return compute(list(keys))
        if self._pending:
            self.invalidate(set(self._pending))
        entry_keys = [self._entry_key(group, key_of(key)) for key in keys]
        found = self.redis.call(lambda r: r.mget([self._gen_key(group), *entry_keys]))
        if found is None:
            return compute(list(keys))
        generation, answer, misses = self._split(keys, found)
        if not misses:
            return answer
        computed = compute(misses)
        answer.update(computed)
        stored = self._entries(group, key_of, generation, computed)

        def store(client: Any) -> bool:
            pipe = client.pipeline(transaction=False)
            for entry_key, entry in stored.items():
                pipe.set(entry_key, entry, ex=ttl or self.ttl)
            pipe.execute()
            return True

        if stored:
            self.redis.call(store)
        return answer

    async def get_or_compute_many_async(
        self,
        group: str,
        keys: Sequence[K],
        key_of: Callable[[K], str],
        compute: Callable[[list[K]], Awaitable[dict[K, bytes]]],
        *,
        ttl: int | None = None,
    ) -> dict[K, bytes]:
        """:meth:`get_or_compute_many` on the event loop (the asynchronous client: no thread
        for the ``MGET`` and the stores)."""
        redis = self.redis
        if redis is None or not keys:
            return await compute(list(keys))
        if self._pending:
            await anyio.to_thread.run_sync(self.invalidate, set(self._pending))
        entry_keys = [self._entry_key(group, key_of(key)) for key in keys]
        found = await redis.call_async(lambda r: r.mget([self._gen_key(group), *entry_keys]))
        if found is None:
            return await compute(list(keys))
        generation, answer, misses = self._split(keys, found)
        if not misses:
            return answer
        computed = await compute(misses)
        answer.update(computed)
        stored = self._entries(group, key_of, generation, computed)

        async def store(client: Any) -> None:
            pipe = client.pipeline(transaction=False)
            for entry_key, entry in stored.items():
                pipe.set(entry_key, entry, ex=ttl or self.ttl)
            await pipe.execute()

        if stored:
            await redis.call_async(store)
        return answer

    async def get_or_compute_async(
        self,
        group: str,
        key: str | Callable[[], str],
        compute: Callable[[], Awaitable[bytes]],
        *,
        ttl: int | None = None,
    ) -> bytes:
        """:meth:`get_or_compute` on the event loop: Redis is read with the asynchronous
        client, so a hit costs one round trip and no thread; ``compute`` is awaited only on
        a miss. ``key`` may be a function, called only when there is a cache to look in."""
        redis = self.redis
        if redis is None:
            return await compute()
        if callable(key):
            key = key()
        if self._pending:
            await anyio.to_thread.run_sync(self.invalidate, set(self._pending))
        keys = [self._gen_key(group), self._entry_key(group, key)]
        found = await redis.call_async(lambda r: r.mget(keys))
        if found is None:
            return await compute()
        gen, body = self._lookup(found)
        if body is not None:
            return body
        value = await compute()
        entry = gen + _SEPARATOR + value
        await redis.call_async(lambda r: r.set(keys[1], entry, ex=ttl or self.ttl))
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
