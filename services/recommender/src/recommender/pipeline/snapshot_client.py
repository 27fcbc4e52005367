"""Download the listening service's versioned export into the arrays the algorithms take.

``GET /export/snapshot`` streams NDJSON: a ``snapshot`` header line (format, data set version,
ETag), then ``section`` lines each followed by one JSON array per row (``listens``:
``[user_id, artist_id, weight]``, ``friendships``: ``[user_id, friend_id]``), then an ``end``
line with the row counts. A stream without a matching ``end`` line was cut and is rejected.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx
import numpy as np

from recommender.algorithms.snapshot import Friendships, Listens, Snapshot

SUPPORTED_FORMAT = 1
VERSION_HEADER = "X-Dataset-Version"


class SnapshotError(RuntimeError):
    """The export could not be read (malformed, truncated or an unexpected status)."""


class SnapshotUnavailableError(SnapshotError):
    """The listening service could not be reached or answered 5xx: worth retrying."""


@dataclass(frozen=True)
class DatasetSnapshot:
    """A downloaded snapshot and the version it was read at."""

    version: int
    etag: str
    snapshot: Snapshot


def parse_snapshot(lines: Any) -> DatasetSnapshot:
    """Parse an iterable of NDJSON lines (str) into a :class:`DatasetSnapshot`."""
    header: dict[str, Any] | None = None
    section: str | None = None
    rows: dict[str, list[list[int]]] = {"listens": [], "friendships": []}
    end: dict[str, Any] | None = None
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if end is not None:
            raise SnapshotError("data after the end line")
        value = json.loads(line)
        if isinstance(value, list):
            if section not in rows:
                raise SnapshotError(f"row outside a known section: {line[:80]}")
            rows[section].append(value)
            continue
        kind = value.get("type")
        if kind == "snapshot":
            if value.get("format") != SUPPORTED_FORMAT:
                raise SnapshotError(f"unsupported snapshot format {value.get('format')!r}")
            header = value
        elif kind == "section":
            section = str(value.get("name"))
        elif kind == "end":
            end = value
        else:
            raise SnapshotError(f"unexpected line type {kind!r}")
    if header is None:
        raise SnapshotError("snapshot header missing")
    if end is None:
        raise SnapshotError("snapshot truncated: no end line")
    for name in ("listens", "friendships"):
        if int(end.get(name, -1)) != len(rows[name]):
            raise SnapshotError(f"snapshot truncated: {name} count does not match the end line")
    listens = np.array(rows["listens"], dtype=np.float64).reshape(-1, 3)
    friends = np.array(rows["friendships"], dtype=np.int64).reshape(-1, 2)
    snapshot = Snapshot(
        listens=Listens.from_arrays(listens[:, 0], listens[:, 1], listens[:, 2]),
        friendships=Friendships.from_arrays(friends[:, 0], friends[:, 1]),
    )
    return DatasetSnapshot(
        version=int(header["dataset_version"]), etag=str(header["etag"]), snapshot=snapshot
    )


def fetch_snapshot(base_url: str, *, timeout: float = 60.0) -> DatasetSnapshot:
    """Stream ``GET {base_url}/export/snapshot`` and parse it."""
    url = base_url.rstrip("/") + "/export/snapshot"
    try:
        with (
            httpx.Client(timeout=httpx.Timeout(timeout, connect=5.0)) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code >= 500:
                raise SnapshotUnavailableError(f"{url} answered {response.status_code}")
            if response.status_code != 200:
                raise SnapshotError(f"{url} answered {response.status_code}")
            return parse_snapshot(response.iter_lines())
    except httpx.TransportError as exc:
        raise SnapshotUnavailableError(f"{url}: {exc}") from exc
