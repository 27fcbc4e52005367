"""The version of what the catalog exports (artists, tags, tag assignments): its ETag.

Every write to those tables advances the ``dataset_version`` row in its own transaction:
the API's writes through :func:`catalog.services.writes.commit_write`, a user's deletion
applied from an event (its tag assignments go by cascade), and the importer. The export reads the
version in the same read transaction as its rows, so the ETag names exactly what it streams.
"""

from __future__ import annotations

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from catalog.models import DatasetVersion
from soundstream_common.exports import advance_version
from soundstream_common.exports import read_version as read_table_version
from soundstream_common.versions import VersionInfo


def bump_dataset_version(session: Session) -> None:
    """Advance the version in the caller's transaction (call once per committed change)."""
    advance_version(session, DatasetVersion)


def read_version(conn: Connection | Session) -> VersionInfo:
    """The version as the caller's transaction sees it."""
    return read_table_version(conn, DatasetVersion)
