"""Read the catalog's tag assignments from its export, for the tag-profile model.

``GET /export/snapshot`` of the catalog streams NDJSON: an ``export`` header line (format,
data set version, ETag), ``section`` lines each followed by one JSON array per row
(``artists``, ``tags``, ``tag_assignments``: ``[user_id, artist_id, tag_id, timestamp_ms,
date_valid]``), then an ``end`` line with the row counts. Only the tag assignments are kept;
the other sections are counted against the end line, so a cut stream is rejected.

Tags are side information: a catalog that is not configured, unreachable or answering
something unreadable leaves the training run without tags (see
:func:`recommender.training.steps.snapshot`), never fails it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import httpx
import numpy as np

from recommender.algorithms.snapshot import TagAssignments
from recommender.training.snapshot_client import (
    EXPORT_PATH,
    SnapshotError,
    SnapshotUnavailableError,
    read_export,
)
from soundstream_common.exports import ExportFormatError, parse_export
from soundstream_common.service_token import service_headers

SUPPORTED_FORMAT = 1
SECTIONS = ("tag_assignments",)  # the export's artists and tags are counted, not kept


@dataclass(frozen=True)
class CatalogTags:
    """The catalog's tag assignments and the catalog data set version they were read at."""

    version: int
    etag: str
    assignments: TagAssignments


def parse_catalog_export(lines: bytes | Iterable[str]) -> CatalogTags:
    """Parse the catalog export's NDJSON (its body or lines), keeping the tag assignments."""
    try:
        document = parse_export(
            lines, header_type="export", export_format=SUPPORTED_FORMAT, keep=SECTIONS
        )  # every section's count is checked against the end line; only the last is kept
    except ExportFormatError as exc:
        raise SnapshotError(f"catalog export: {exc}") from exc
    rows = np.array(
        [row[:3] for row in document.sections["tag_assignments"]], dtype=np.int64
    ).reshape(-1, 3)
    header = document.header
    return CatalogTags(
        version=int(header["dataset_version"]),
        etag=str(header["etag"]),
        assignments=TagAssignments.from_arrays(rows[:, 0], rows[:, 1], rows[:, 2]),
    )


def fetch_catalog_version(base_url: str, *, timeout: float = 5.0, token: str | None = None) -> str:
    """The ETag of the catalog's current data set, without its body (``If-None-Match: *``
    answers ``304`` with the ETag)."""
    url = base_url.rstrip("/") + EXPORT_PATH
    headers = {**service_headers(token), "If-None-Match": "*"}
    try:
        with (
            httpx.Client(timeout=timeout, headers=headers) as client,
            client.stream("GET", url) as response,
        ):
            etag = response.headers.get("ETag")
            status = response.status_code
    except httpx.TransportError as exc:
        raise SnapshotUnavailableError(f"{url}: {exc}") from exc
    if status >= 500:
        raise SnapshotUnavailableError(f"{url} answered {status}")
    if status not in (200, 304) or not etag:
        raise SnapshotError(f"{url} answered {status} without an ETag")
    return str(etag)


def fetch_catalog_tags(
    base_url: str, *, timeout: float = 60.0, token: str | None = None
) -> CatalogTags:
    """The catalog's export, keeping its tag assignments; ``token``: the deployment's
    service token."""
    return read_export(base_url, parse_catalog_export, timeout=timeout, token=token)
