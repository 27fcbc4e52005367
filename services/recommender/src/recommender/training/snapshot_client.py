"""Download the listening service's versioned export into the arrays the algorithms take.

``GET /export/snapshot`` streams NDJSON: a ``snapshot`` header line (format, data set version,
ETag), then ``section`` lines each followed by one JSON array per row (``listens``:
``[user_id, artist_id, weight]``, ``friendships``: ``[user_id, friend_id]``), then an ``end``
line with the row counts. A stream without a matching ``end`` line was cut and is rejected.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

import httpx
import numpy as np

from recommender.algorithms.snapshot import Friendships, Listens, Snapshot
from soundstream_common.exports import ExportFormatError, parse_export
from soundstream_common.service_token import service_headers

SUPPORTED_FORMAT = 1
EXPORT_PATH = "/export/snapshot"
T = TypeVar("T")
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


def parse_snapshot(lines: bytes | Iterable[str]) -> DatasetSnapshot:
    """Parse the listening service's snapshot (its NDJSON body or lines) into a
    :class:`DatasetSnapshot`."""
    try:
        document = parse_export(
            lines,
            header_type="snapshot",
            export_format=SUPPORTED_FORMAT,
            keep=("listens", "friendships"),
        )
    except ExportFormatError as exc:
        raise SnapshotError(str(exc)) from exc
    listens = np.array(document.sections["listens"], dtype=np.float64).reshape(-1, 3)
    friends = np.array(document.sections["friendships"], dtype=np.int64).reshape(-1, 2)
    snapshot = Snapshot(
        listens=Listens.from_arrays(listens[:, 0], listens[:, 1], listens[:, 2]),
        friendships=Friendships.from_arrays(friends[:, 0], friends[:, 1]),
    )
    header = document.header
    return DatasetSnapshot(
        version=int(header["dataset_version"]), etag=str(header["etag"]), snapshot=snapshot
    )


def fetch_version(base_url: str, *, timeout: float = 5.0, token: str | None = None) -> str:
    """The ETag of the listening service's current data set (``GET /export/version``, cheap);
    ``token``: the deployment's service token."""
    url = base_url.rstrip("/") + "/export/version"
    try:
        response = httpx.get(url, timeout=timeout, headers=service_headers(token))
    except httpx.TransportError as exc:
        raise SnapshotUnavailableError(f"{url}: {exc}") from exc
    if response.status_code >= 500:
        raise SnapshotUnavailableError(f"{url} answered {response.status_code}")
    if response.status_code != 200:
        raise SnapshotError(f"{url} answered {response.status_code}")
    try:
        return str(response.json()["etag"])
    except (ValueError, KeyError, TypeError) as exc:
        raise SnapshotError(f"{url} answered without an etag") from exc


def read_export(
    base_url: str,
    parse: Callable[[bytes], T],
    *,
    timeout: float = 60.0,
    token: str | None = None,
) -> T:
    """``GET {base_url}/export/snapshot`` (a service's export), parsed by ``parse``;
    ``token``: the deployment's service token. Unreachable or 5xx:
    :class:`SnapshotUnavailableError`; any other answer or an unreadable body:
    :class:`SnapshotError`."""
    url = base_url.rstrip("/") + EXPORT_PATH
    try:
        with httpx.Client(
            timeout=httpx.Timeout(timeout, connect=5.0), headers=service_headers(token)
        ) as client:
            response = client.get(url)
    except httpx.TransportError as exc:
        raise SnapshotUnavailableError(f"{url}: {exc}") from exc
    if response.status_code >= 500:
        raise SnapshotUnavailableError(f"{url} answered {response.status_code}")
    if response.status_code != 200:
        raise SnapshotError(f"{url} answered {response.status_code}")
    try:
        return parse(response.content)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise SnapshotError(f"{url}: unreadable export ({exc})") from exc


def fetch_snapshot(
    base_url: str, *, timeout: float = 60.0, token: str | None = None
) -> DatasetSnapshot:
    """The listening service's snapshot (``GET {base_url}/export/snapshot``), parsed."""
    return read_export(base_url, parse_snapshot, timeout=timeout, token=token)
