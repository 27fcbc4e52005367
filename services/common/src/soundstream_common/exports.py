"""The machinery of a service's export: one consistent read, streamed as NDJSON sections.

A service whose whole data set others pull (the listening service's snapshot, the catalog's
export) opens a :class:`ConsistentRead`: one connection, one read transaction (REPEATABLE READ
and read-only on PostgreSQL, an explicit ``BEGIN`` holding one WAL snapshot on SQLite), the
data set version (:mod:`soundstream_common.versions`) read inside it, and each section's rows
straight from a driver cursor (server-side on PostgreSQL), ``CHUNK_ROWS`` at a time: nothing
is materialised, and every section agrees with the others and with the version it names.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import ClauseElement, Connection, Engine, select, update
from sqlalchemy.orm import Session

from soundstream_common.versions import DatasetVersionRow, VersionInfo

CHUNK_ROWS = 10_000


def connection_cursor(connection: Connection, *, server_side_name: str | None = None) -> Any:
    """A cursor of the DB-API driver beneath ``connection``, for reads too big for ORM rows.

    With ``server_side_name`` on PostgreSQL it is a named (server-side) cursor, which fetches
    in batches instead of loading the whole result.
    """
    driver: Any = connection.connection.driver_connection
    if server_side_name and connection.dialect.name == "postgresql":
        return driver.cursor(name=server_side_name)
    return driver.cursor()


def read_version(conn: Connection | Session, model: type[DatasetVersionRow]) -> VersionInfo:
    """The data set version as ``conn`` sees it (``model``: the service's ``DatasetVersion``)."""
    row = conn.execute(select(model.epoch, model.version).where(model.id == 1)).one()
    return VersionInfo(epoch=row.epoch, version=int(row.version))


def advance_version(session: Session, model: type[DatasetVersionRow]) -> None:
    """Advance the data set version in the caller's transaction (once per committed change)."""
    session.execute(
        update(model)
        .where(model.id == 1)
        .values(version=model.version + 1)
        .execution_options(synchronize_session=False)
    )


class ConsistentRead:
    """One read transaction on a connection of its own, for streaming a whole data set."""

    def __init__(
        self,
        engine: Engine,
        version: Callable[[Connection], VersionInfo],
        *,
        cursor_name: str,
    ) -> None:
        self.cursor_name = cursor_name
        self._conn = engine.connect()
        try:
            if engine.dialect.name == "postgresql":
                self._conn = self._conn.execution_options(
                    isolation_level="REPEATABLE READ", postgresql_readonly=True
                )
            else:
                # pysqlite only begins before DML; an explicit BEGIN holds one WAL snapshot.
                self._conn.exec_driver_sql("BEGIN")
            self.version = version(self._conn)
        except BaseException:
            self._conn.close()
            raise

    def close(self) -> None:
        """End the read transaction and return the connection (safe to call twice)."""
        if not self._conn.closed:
            self._conn.close()  # the pool's reset rolls the read transaction back

    def chunks(self, statement: ClauseElement) -> Iterator[list[Any]]:
        """The statement's rows as driver tuples, ``CHUNK_ROWS`` at a time."""
        sql = str(statement.compile(dialect=self._conn.dialect))
        cursor = connection_cursor(self._conn, server_side_name=self.cursor_name)
        try:
            cursor.execute(sql)
            while rows := cursor.fetchmany(CHUNK_ROWS):
                yield rows
        finally:
            cursor.close()


def json_line(**fields: Any) -> bytes:
    """One NDJSON line: a header, section or end record of an export."""
    return (json.dumps(fields, separators=(",", ":")) + "\n").encode()


class ExportFormatError(ValueError):
    """An export body that is not a whole export of the expected kind and format."""


@dataclass(frozen=True)
class ExportDocument:
    """A parsed export: its header line and the rows of the sections the reader kept."""

    header: dict[str, Any]
    sections: dict[str, list[list[Any]]]


def export_lines(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """The lines of a body that arrives in chunks (a chunk may end inside a line)."""
    rest = b""
    for chunk in chunks:
        lines = (rest + chunk).split(b"\n")
        rest = lines.pop()
        yield from lines
    if rest:
        yield rest


class ExportReader:
    """An export's NDJSON read line by line: its header (``{"type": header_type, "format": …}``),
    the rows of the sections of ``keep`` in batches of at most ``batch_rows`` (the other
    sections are only counted), and its end line, whose counts must match the rows read (a
    cut stream has none, or other counts).

    :meth:`batches` raises :class:`ExportFormatError` naming what is wrong; the check of the
    end line comes after the last batch, so a reader keeps nothing of an export until the
    iteration has finished. Each batch's rows are parsed in one call (as one JSON array), and
    at most one batch is held in memory at a time.
    """

    def __init__(
        self,
        lines: Iterable[bytes],
        *,
        header_type: str,
        export_format: int,
        keep: Collection[str],
        batch_rows: int = 5 * CHUNK_ROWS,
    ) -> None:
        self._lines = lines
        self.header_type = header_type
        self.export_format = export_format
        self.keep = frozenset(keep)
        self.batch_rows = batch_rows
        self.header: dict[str, Any] = {}
        """The header line, once read (empty before)."""

    def batches(self) -> Iterator[tuple[str, list[list[Any]]]]:
        """``(section, rows)`` for each batch of a kept section, in the export's order."""
        name = self.header_type
        counts: dict[str, int] = {}
        current: str | None = None
        pending: list[bytes] = []
        end: dict[str, Any] | None = None
        for raw in self._lines:
            line = raw.strip()
            if not line:
                continue
            if end is not None:
                raise ExportFormatError("data after the end line")
            if line.startswith(b"["):
                if current is None:
                    raise ExportFormatError(f"row outside a section: {line[:80]!r}")
                counts[current] += 1
                if current in self.keep:
                    pending.append(line)
                    if len(pending) >= self.batch_rows:
                        yield current, _rows(pending)
                continue
            if pending and current is not None:
                yield current, _rows(pending)
            value = orjson.loads(line)
            kind = value.get("type") if isinstance(value, dict) else None
            if kind == name and not self.header:
                if value.get("format") != self.export_format:
                    raise ExportFormatError(f"unsupported {name} format {value.get('format')!r}")
                self.header = value
            elif kind == "section" and self.header:
                current = str(value.get("name"))
                counts.setdefault(current, 0)
            elif kind == "end" and self.header:
                end = value
            else:
                raise ExportFormatError(f"unexpected line type {kind!r}")
        if pending and current is not None:
            yield current, _rows(pending)
        if not self.header:
            raise ExportFormatError(f"{name} header missing")
        if end is None:
            raise ExportFormatError(f"{name} truncated (the stream was cut): no end line")
        for section in {*counts, *self.keep}:  # a kept section the export lacks counts as 0 rows
            if int(end.get(section, -1)) != counts.get(section, 0):
                raise ExportFormatError(
                    f"{name} truncated: {section} count does not match the end line"
                )


def _rows(pending: list[bytes]) -> list[list[Any]]:
    """The pending row lines parsed as one JSON array (and the pending list emptied)."""
    rows: list[list[Any]] = orjson.loads(b"[" + b",".join(pending) + b"]")
    pending.clear()
    return rows


def parse_export(
    body: bytes | Iterable[str],
    *,
    header_type: str,
    export_format: int,
    keep: Collection[str],
) -> ExportDocument:
    """A whole export parsed at once (see :class:`ExportReader`, which reads one in batches):
    its header and every row of the sections of ``keep``.

    Raises :class:`ExportFormatError` naming what is wrong.
    """
    lines = body.split(b"\n") if isinstance(body, bytes) else (s.encode() for s in body)
    reader = ExportReader(lines, header_type=header_type, export_format=export_format, keep=keep)
    sections: dict[str, list[list[Any]]] = {name: [] for name in keep}
    for name, rows in reader.batches():
        sections[name].extend(rows)
    return ExportDocument(header=reader.header, sections=sections)
