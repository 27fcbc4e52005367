"""The last export read from each service, kept on disk with its ETag (conditional reads).

Both exports name their data set version with an ETag. A run sends the ETag of the export it
read last in ``If-None-Match``; while the service's data has not changed the answer is
``304 Not Modified`` (no rows are read, sent or parsed) and the run takes the sections kept
here, as Arrow IPC files that load without parsing. Only an export that changed is read.

Layout: ``<dir>/<source>-<digest of the ETag>/<section>.arrow`` holds one version, written
in a temporary directory and renamed into place, so a version's files are always complete
and never mixed with another's (the API and the worker may run at the same time);
``<dir>/<source>.etag`` names the version kept, replaced atomically. Anything unreadable is
treated as nothing kept: the export is then read in full.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from pathlib import Path

import pyarrow as pa


class ExportCache:
    """The kept exports under one directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _pointer(self, source: str) -> Path:
        return self.directory / f"{source}.etag"

    def _version_dir(self, source: str, etag: str) -> Path:
        digest = hashlib.sha256(etag.encode()).hexdigest()[:16]
        return self.directory / f"{source}-{digest}"

    def etag(self, source: str) -> str | None:
        """The ETag of the kept export of ``source`` (None when none is kept)."""
        try:
            return self._pointer(source).read_text(encoding="utf-8").strip() or None
        except OSError:
            return None

    def load(self, source: str, etag: str) -> dict[str, pa.Table] | None:
        """The kept sections of ``source`` at ``etag``, or None when they cannot be read."""
        folder = self._version_dir(source, etag)
        try:
            tables = {}
            for path in sorted(folder.glob("*.arrow")):
                with pa.OSFile(str(path), "rb") as kept:
                    tables[path.stem] = pa.ipc.open_file(kept).read_all()
        except (OSError, pa.ArrowException):
            return None
        return tables or None

    def store(self, source: str, etag: str, tables: dict[str, pa.Table]) -> None:
        """Keep ``tables`` as the export of ``source`` named by ``etag`` (older versions go)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        final = self._version_dir(source, etag)
        staging = self.directory / f".{source}-{uuid.uuid4().hex}"
        staging.mkdir()
        for name, table in tables.items():
            path = str(staging / f"{name}.arrow")
            with pa.OSFile(path, "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
                writer.write_table(table)
        try:
            staging.rename(final)
        except OSError:  # the same version, kept meanwhile by another process
            shutil.rmtree(staging, ignore_errors=True)
        pointer = self.directory / f".{source}-{uuid.uuid4().hex}.etag"
        pointer.write_text(etag, encoding="utf-8")
        os.replace(pointer, self._pointer(source))
        for old in self.directory.glob(f"{source}-*"):
            if old != final:
                shutil.rmtree(old, ignore_errors=True)

    def forget(self, source: str) -> None:
        """Keep nothing of ``source``: its next read is a full one."""
        self._pointer(source).unlink(missing_ok=True)
        for old in self.directory.glob(f"{source}-*"):
            shutil.rmtree(old, ignore_errors=True)
