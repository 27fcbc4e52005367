"""The body of an import: each file, in order, into the two service databases.

Parents are always written before the rows that name them (``PRAGMA foreign_keys`` is on in
SQLite, and PostgreSQL checks every statement): per batch, first the users seen for the first
time and the placeholder artists, then the batch itself.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from catalog.names import search_name
from soundstream_admin.importing import formats, tables
from soundstream_admin.importing.errors import DataFileError
from soundstream_admin.importing.formats import FileFormat
from soundstream_admin.importing.keys import IntArray, KeyLog
from soundstream_admin.importing.loaders import Batch, Loader, Row
from soundstream_admin.importing.parse import Chunk, read_chunks
from soundstream_admin.importing.progress import ImportProgress
from soundstream_admin.importing.report import FileStats, ImportReport, Reject
from soundstream_admin.importing.tables import Table
from soundstream_common.ids import MAX_ID


def placeholder_name(artist_id: int) -> str:
    """Name of an artist that rows name but artists.dat lacks."""
    return f"Unknown artist #{artist_id}"


def bad_ids(fmt: FileFormat, line: int, fields: Sequence[str], columns: Sequence[int]) -> Exception:
    """The error for the first of ``columns`` that is not an id (a positive 32-bit integer)."""
    for column in columns:
        name, value = fmt.columns[column], fields[column]
        try:
            number = int(value)
        except ValueError:
            return DataFileError(fmt.name, line, f"non-integer {name} {value!r}")
        if not 0 < number <= MAX_ID:
            return DataFileError(fmt.name, line, f"{name} {number} out of range 1..{MAX_ID}")
    return AssertionError(f"{fmt.name}:{line}: ids {columns} are valid")  # pragma: no cover


class FileWriter:
    """The writes of one file.

    If the database refuses a batch (on PostgreSQL, a repeated key inside a COPY), the file is
    still read to the end without writing, so that the duplicate can be named by line; the
    database error is raised only when no duplicate explains it.
    """

    def __init__(self) -> None:
        self.error: BaseException | None = None

    def __call__(
        self, loader: Loader, table: Table, rows: Sequence[Row] | Batch, *, update: bool
    ) -> None:
        if self.error is None:
            try:
                loader.write(table, rows, update=update)
            except loader.driver_errors as exc:
                self.error = exc

    def finish(self, keys: KeyLog | None = None) -> None:
        if keys is not None:
            keys.check()
        if self.error is not None:
            raise self.error


class Importer:
    """State shared by the files of one run: which ids exist, and the report being built."""

    def __init__(
        self, catalog: Loader, listening: Loader, report: ImportReport, progress: ImportProgress
    ) -> None:
        self.catalog = catalog
        self.listening = listening
        self.report = report
        self.progress = progress
        self.users: set[int] = set()
        # Ids imported from artists.dat and tags.dat, sorted, for vectorised membership tests.
        self.artist_ids: IntArray = np.zeros(0, dtype=np.int64)
        self.tag_ids: IntArray = np.zeros(0, dtype=np.int64)

    # shared plumbing -----------------------------------------------------------------------
    def chunks(self, fmt: FileFormat, path: Path) -> Iterator[Chunk]:
        stats = FileStats(str(path))
        self.report.files[fmt.name] = stats
        self.report.anomalies.users_first_seen[fmt.name] += 0
        self.progress.start(fmt.name, path.stat().st_size)
        for chunk in read_chunks(path, fmt):
            stats.read += chunk.count
            yield chunk
            self.progress.update(chunk.position)
        stats.imported = stats.read - stats.rejected
        self.progress.done()

    def reject(self, fmt: FileFormat, line: int, reason: str) -> None:
        self.report.rejects.append(Reject(fmt.name, line, reason))
        self.report.files[fmt.name].rejected += 1

    def register(
        self,
        write: FileWriter,
        fmt: FileFormat,
        new_users: list[int],
        placeholders: list[int],
    ) -> None:
        """Write the users and placeholder artists a batch names for the first time."""
        if placeholders:
            rows: list[Row] = [
                (artist, name, None, None, search_name(name), True)
                for artist, name in ((a, placeholder_name(a)) for a in placeholders)
            ]
            # Insert-if-absent: an artist the database already holds is never overwritten.
            write(self.catalog, tables.ARTISTS, rows, update=False)
            refs = Batch([np.array(placeholders, dtype=np.int64)])
            write(self.listening, tables.ARTIST_REFS, refs, update=False)
        if new_users:
            ids = Batch([np.array(new_users, dtype=np.int64)])
            write(self.listening, tables.USERS, ids, update=False)
            write(self.catalog, tables.USER_REFS, ids, update=False)
            self.report.anomalies.users_first_seen[fmt.name] += len(new_users)

    def first_seen_users(self, *columns: IntArray) -> list[int]:
        """Users in ``columns`` not seen before in this run (now marked as seen)."""
        candidates = (
            np.unique(np.concatenate(columns)) if len(columns) > 1 else np.unique(columns[0])
        )
        new = [user for user in candidates.tolist() if user not in self.users]
        self.users.update(new)
        return new

    def placeholders(self, fmt: FileFormat, artists: IntArray) -> list[int]:
        """Count rows naming artists absent from artists.dat; return the ones new to this run."""
        unknown = artists[~np.isin(artists, self.artist_ids)]
        if not len(unknown):
            return []
        anomalies = self.report.anomalies
        anomalies.placeholder_rows[fmt.name] += len(unknown)
        new: list[int] = []
        ids, counts = np.unique(unknown, return_counts=True)
        for artist, count in zip(ids.tolist(), counts.tolist(), strict=True):
            if artist not in anomalies.placeholder_artists:
                new.append(artist)
            anomalies.placeholder_artists[artist] += count
        return new

    def check_ids(self, chunk: Chunk, table: IntArray, columns: Sequence[int]) -> None:
        """Fatal error at the first row whose id columns are not positive 32-bit integers."""
        ids = table[:, list(columns)]
        bad = ((ids < 1) | (ids > MAX_ID)).any(axis=1)
        if bad.any():
            index = int(np.flatnonzero(bad)[0])
            raise bad_ids(chunk.fmt, chunk.line(index), chunk.rows[index], columns)

    # artists.dat and tags.dat --------------------------------------------------------------
    def load_artists(self, path: Path) -> None:
        fmt = formats.ARTISTS
        first_seen: dict[int, int] = {}
        imported: list[int] = []
        write = FileWriter()
        for chunk in self.chunks(fmt, path):
            rows: list[Row] = []
            for offset, fields in enumerate(chunk.rows):
                line = chunk.first_line + offset
                try:
                    artist = int(fields[0])
                except ValueError:
                    raise bad_ids(fmt, line, fields, (0,)) from None
                if not 0 < artist <= MAX_ID:
                    raise bad_ids(fmt, line, fields, (0,))
                first = first_seen.setdefault(artist, line)
                if first != line:
                    raise DataFileError(
                        fmt.name, line, f"duplicate key (id {artist}), first seen at line {first}"
                    )
                name = fields[1]
                if not name.strip():
                    self.reject(fmt, line, "empty artist name")
                    continue
                url, picture = fields[2] or None, fields[3] or None
                rows.append((artist, name, url, picture, search_name(name), False))
            write(self.catalog, tables.ARTISTS, rows, update=True)
            ids = [row[0] for row in rows]
            write(
                self.listening,
                tables.ARTIST_REFS,
                Batch([np.array(ids, dtype=np.int64)]),
                update=False,
            )
            imported += ids
        write.finish()
        self.artist_ids = np.unique(np.array(imported, dtype=np.int64))

    def load_tags(self, path: Path) -> None:
        fmt = formats.TAGS
        ids: dict[int, int] = {}
        values: dict[str, int] = {}
        imported: list[int] = []
        write = FileWriter()
        for chunk in self.chunks(fmt, path):
            rows: list[Row] = []
            for offset, (raw_id, value) in enumerate(chunk.rows):
                line = chunk.first_line + offset
                try:
                    tag = int(raw_id)
                except ValueError:
                    raise bad_ids(fmt, line, (raw_id, value), (0,)) from None
                if not 0 < tag <= MAX_ID:
                    raise bad_ids(fmt, line, (raw_id, value), (0,))
                for key, first in (
                    (f"tagID {tag}", ids.setdefault(tag, line)),
                    (f"tagValue {value!r}", values.setdefault(value, line)),
                ):
                    if first != line:
                        raise DataFileError(
                            fmt.name, line, f"duplicate key ({key}), first seen at line {first}"
                        )
                if not value.strip():
                    self.reject(fmt, line, "empty tag value")
                elif len(value) > formats.MAX_TAG_LENGTH:
                    self.reject(fmt, line, f"tag value longer than {formats.MAX_TAG_LENGTH}")
                else:
                    rows.append((tag, value))
            write(self.catalog, tables.TAGS, rows, update=True)
            imported += [row[0] for row in rows]
        write.finish()
        self.tag_ids = np.unique(np.array(imported, dtype=np.int64))

    # artist_popularity ----------------------------------------------------------------------
    def load_popularity(self) -> None:
        """Listeners and plays of every catalog artist, from the listens as they now stand.

        Artists nobody listens to (placeholders, mostly) get a row too, with 0 and 0.
        """
        self.progress.start("artist popularity")
        totals = np.array(
            self.listening.fetch(
                "SELECT artist_id, COUNT(*), CAST(SUM(weight) AS BIGINT) FROM listens "
                "GROUP BY artist_id ORDER BY artist_id"
            ),
            dtype=np.int64,
        ).reshape(-1, 3)
        popularity = tables.ARTIST_POPULARITY
        if not self.catalog.is_fresh(popularity):
            # Merge: artists whose listens are all gone fall back to 0 and 0.
            listened = self.catalog.fetch("SELECT artist_id FROM artist_popularity WHERE plays > 0")
            stale = np.setdiff1d(np.array(listened, dtype=np.int64).reshape(-1), totals[:, 0])
            for artist in stale.tolist():
                self.catalog.changed += self.catalog.execute(
                    "UPDATE artist_popularity SET listeners = 0, plays = 0 WHERE artist_id = "
                    + str(int(artist))
                )
        write = FileWriter()
        write(self.catalog, popularity, Batch(list(totals.T)), update=True)
        write.finish()
        # No ON CONFLICT here: on the fast path the table has no primary key until the end.
        self.catalog.changed += self.catalog.execute(
            "INSERT INTO artist_popularity (artist_id, listeners, plays) "
            "SELECT a.id, 0, 0 FROM artists a WHERE NOT EXISTS "
            "(SELECT 1 FROM artist_popularity p WHERE p.artist_id = a.id)"
        )
        self.progress.done()
