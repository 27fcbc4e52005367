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


def parse_export(
    body: bytes | Iterable[str],
    *,
    header_type: str,
    export_format: int,
    keep: Collection[str],
) -> ExportDocument:
    """Parse an export's NDJSON: its header (``{"type": header_type, "format": …}``), each
    section's rows (those of ``keep`` parsed, the others only counted), and its end line,
    whose counts must match the rows read (a cut stream has none, or other counts).

    Raises :class:`ExportFormatError` naming what is wrong. Each section's rows are parsed
    in one call (as one JSON array): the bulk of an export costs one parse per section.
    """
    lines = body.split(b"\n") if isinstance(body, bytes) else (s.encode() for s in body)
    header: dict[str, Any] | None = None
    sections: dict[str, list[list[Any]]] = {name: [] for name in keep}
    counts: dict[str, int] = {}
    current: str | None = None
    pending: list[bytes] = []
    end: dict[str, Any] | None = None

    def flush() -> None:
        if pending and current in sections:
            sections[current].extend(orjson.loads(b"[" + b",".join(pending) + b"]"))
        pending.clear()

    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if end is not None:
            raise ExportFormatError("data after the end line")
        if line.startswith(b"["):
            if current is None:
                raise ExportFormatError(f"row outside a section: {line[:80]!r}")
            counts[current] += 1
            if current in sections:
                pending.append(line)
            continue
        flush()
        value = orjson.loads(line)
        kind = value.get("type") if isinstance(value, dict) else None
        if kind == header_type and header is None:
            if value.get("format") != export_format:
                raise ExportFormatError(f"unsupported {header_type} format {value.get('format')!r}")
            header = value
        elif kind == "section" and header is not None:
            current = str(value.get("name"))
            counts.setdefault(current, 0)
        elif kind == "end" and header is not None:
            end = value
        else:
            raise ExportFormatError(f"unexpected line type {kind!r}")
    flush()
    if header is None:
        raise ExportFormatError(f"{header_type} header missing")
    if end is None:
        raise ExportFormatError(f"{header_type} truncated (the stream was cut): no end line")
    for name in {*counts, *keep}:  # a kept section the export lacks counts as 0 rows
        if int(end.get(name, -1)) != counts.get(name, 0):
            raise ExportFormatError(
                f"{header_type} truncated: {name} count does not match the end line"
            )
    return ExportDocument(header=header, sections=sections)
