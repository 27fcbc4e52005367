"""The Redis layout the pipeline publishes and the API reads.

Every published version writes its own keys, ``<prefix>:v:<version>:<kind>`` (hashes keyed by
user or artist id, JSON values; ``popular`` and ``meta`` are plain JSON strings). The single
key ``<prefix>:current`` names the serving version: publishing writes all of a version's keys
first and then sets the pointer in one command, so readers see either the old or the new
version, never a mix. Keys of older versions are deleted after the flip.
"""

from __future__ import annotations

import json
from typing import Any

import redis

KINDS = ("recs", "similar_artists", "similar_users")
WRITE_BATCH = 1000


class ModelStore:
    """Reads and writes one key prefix's versions, pointer, retrain lock and run progress."""

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self.client = client
        self.prefix = prefix

    def key(self, version: str, kind: str) -> str:
        return f"{self.prefix}:v:{version}:{kind}"

    @property
    def pointer_key(self) -> str:
        return f"{self.prefix}:current"

    @property
    def lock_key(self) -> str:
        return f"{self.prefix}:lock:retrain"

    def run_key(self, run_id: str) -> str:
        return f"{self.prefix}:run:{run_id}"

    # -- versions -------------------------------------------------------------------------
    def current_version(self) -> str | None:
        value = self.client.get(self.pointer_key)
        return value.decode() if isinstance(value, bytes) else None

    def write_version(self, version: str, serving: dict[str, Any], meta: dict[str, Any]) -> None:
        """Write every key of ``version`` (not yet visible: the pointer is not touched)."""
        self.delete_version(version)
        for kind, source in (
            ("recs", serving["recommendations"]),
            ("similar_artists", serving["similar_artists"]),
            ("similar_users", serving["similar_users"]),
        ):
            items = list(source.items())
            for start in range(0, len(items), WRITE_BATCH):
                chunk = {str(k): json.dumps(v) for k, v in items[start : start + WRITE_BATCH]}
                if chunk:
                    self.client.hset(self.key(version, kind), mapping=chunk)  # type: ignore[arg-type]
        self.client.set(self.key(version, "popular"), json.dumps(serving["popular"]))
        self.client.set(self.key(version, "meta"), json.dumps(meta))

    def flip(self, version: str) -> str | None:
        """Point readers at ``version`` in one command; returns the previous version."""
        previous = self.client.set(self.pointer_key, version, get=True)
        return previous.decode() if isinstance(previous, bytes) else None

    def delete_version(self, version: str) -> None:
        keys = [self.key(version, kind) for kind in (*KINDS, "popular", "meta")]
        self.client.delete(*keys)

    def versions_present(self) -> set[str]:
        """Versions that have a ``meta`` key in Redis."""
        found: set[str] = set()
        for key in self.client.scan_iter(match=f"{self.prefix}:v:*:meta", count=500):
            found.add(_text(key).split(":v:", 1)[1].rsplit(":", 1)[0])
        return found

    # -- reads -----------------------------------------------------------------------------
    def hget_json(self, version: str, kind: str, field: int) -> Any:
        value = self.client.hget(self.key(version, kind), str(field))
        return json.loads(value) if value is not None else None

    def get_json(self, version: str, kind: str) -> Any:
        value = self.client.get(self.key(version, kind))
        return json.loads(value) if value is not None else None

    # -- single flight ---------------------------------------------------------------------
    def acquire_lock(self, owner: str, ttl_seconds: int) -> bool:
        """Take the retrain lock for ``owner``; true also when ``owner`` already holds it."""
        if self.client.set(self.lock_key, owner, nx=True, ex=ttl_seconds):
            return True
        return self.lock_owner() == owner

    def lock_owner(self) -> str | None:
        value = self.client.get(self.lock_key)
        return value.decode() if isinstance(value, bytes) else None

    def release_lock(self, owner: str) -> None:
        """Release the lock only if ``owner`` holds it (check-and-delete in one script)."""
        self.client.eval(
            "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) "
            "else return 0 end",
            1,
            self.lock_key,
            owner,
        )

    # -- progress --------------------------------------------------------------------------
    def set_step(self, run_id: str, step: str, state: str, ttl_seconds: int = 7 * 86_400) -> None:
        key = self.run_key(run_id)
        self.client.hset(key, step, state)
        self.client.expire(key, ttl_seconds)

    def steps(self, run_id: str) -> dict[str, str]:
        raw = self.client.hgetall(self.run_key(run_id))
        return {_text(k): _text(v) for k, v in raw.items()}


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
