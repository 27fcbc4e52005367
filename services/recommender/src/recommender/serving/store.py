"""The Redis layout the pipeline publishes and the API reads.

Every published version writes its own keys, ``<prefix>:v:<version>:<kind>`` (hashes keyed by
user or artist id, JSON values; ``popular`` and ``meta`` are plain JSON strings). The single
key ``<prefix>:current`` names the serving version: publishing writes all of a version's keys
first and then sets the pointer in one command, so readers see either the old or the new
version, never a mix. Keys of older versions are deleted after the flip.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import redis

KINDS = ("recs", "similar_artists", "similar_users")
WRITE_BATCH = 1000
PIPELINE_CHUNKS = 8


class ModelStore:
    """Reads and writes one key prefix's versions and pointer."""

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self.client = client
        self.prefix = prefix

    def key(self, version: str, kind: str) -> str:
        return f"{self.prefix}:v:{version}:{kind}"

    @property
    def pointer_key(self) -> str:
        return f"{self.prefix}:current"

    # -- versions -------------------------------------------------------------------------
    def current_version(self) -> str | None:
        value = self.client.get(self.pointer_key)
        return value.decode() if isinstance(value, bytes) else None

    def write_version(self, version: str, serving: dict[str, Any], meta: dict[str, Any]) -> None:
        """Write every key of ``version`` (not yet visible: the pointer is not touched).

        The values of ``recs``, ``similar_artists`` and ``similar_users`` are JSON-ready
        objects or their text already encoded by :func:`encode` (the pipeline's artefact)."""
        self.delete_version(version)
        for kind, source in (
            ("recs", serving["recommendations"]),
            ("similar_artists", serving["similar_artists"]),
            ("similar_users", serving["similar_users"]),
        ):
            items = list(source.items())
            pipe = self.client.pipeline(transaction=False)
            for start in range(0, len(items), WRITE_BATCH):
                chunk = {str(k): _dumps(v) for k, v in items[start : start + WRITE_BATCH]}
                if chunk:
                    pipe.hset(self.key(version, kind), mapping=chunk)  # type: ignore[arg-type]
                if len(pipe) >= PIPELINE_CHUNKS:
                    pipe.execute()
            pipe.execute()
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

    def scan_json(self, version: str, kind: str, *, chunk: int = 500) -> Iterator[dict[int, Any]]:
        """Every entry of a hash of ``version`` (integer fields), decoded, ``chunk`` at a time."""
        found: dict[int, Any] = {}
        for field, value in self.client.hscan_iter(self.key(version, kind), count=chunk):
            found[int(field)] = json.loads(value)
            if len(found) == chunk:
                yield found
                found = {}
        if found:
            yield found

    def get_json(self, version: str, kind: str) -> Any:
        value = self.client.get(self.key(version, kind))
        return json.loads(value) if value is not None else None


def encode(value: Any) -> str:
    """The JSON text of a stored value (what ``hget_json`` decodes)."""
    return json.dumps(value, separators=(",", ":"))


def _dumps(value: Any) -> str:
    """``value`` as stored: already encoded text (a precomputed artefact) or encoded now."""
    return value if isinstance(value, str) else encode(value)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
