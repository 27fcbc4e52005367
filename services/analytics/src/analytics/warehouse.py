"""The warehouse: a DuckDB file (the embedded default) or a PostgreSQL database, through Ibis.

Opened per operation (:func:`open_warehouse` is a context manager): a DuckDB file admits one
writing process at a time, so neither the API nor the CLI holds it longer than a run or a
query. Tables are created from the extractors' row types (:meth:`Warehouse.migrate`) and
never altered: a row type that no longer matches its table is a :class:`SchemaChangedError`
until the extractor's version is raised, which writes a new table.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import duckdb
import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
from ibis.backends.sql import SQLBackend
from sqlalchemy.engine import make_url

from analytics.exceptions import SchemaChangedError
from analytics.framework import Extractor, differentiated_fields

DUCKDB_CONFIG = {"memory_limit": "512MB"}
"""DuckDB's settings unless the URL's query sets them (``duckdb:///w.duckdb?memory_limit=4GB``):
beyond its memory limit DuckDB spills to disk, so a backfill's memory stays bounded."""
LOCK_WAIT_SECONDS = 30.0
"""How long opening a DuckDB file waits while another process has it open."""
STATE_TABLE = "export_state"
STATE_SCHEMA = ibis.schema(
    {"table_name": dt.String(nullable=False), "last_day": dt.Date(nullable=False)}
)


def connect(url: str) -> SQLBackend:
    """An Ibis backend for ``duckdb:///path`` (or a bare path; DuckDB settings in its query,
    see :data:`DUCKDB_CONFIG`) or ``postgresql://...``."""
    if url.startswith(("postgresql", "postgres")):
        parsed = make_url(url)
        backend: SQLBackend = ibis.postgres.connect(
            host=parsed.host or "127.0.0.1",
            port=parsed.port or 5432,
            user=parsed.username,
            password=parsed.password,
            database=parsed.database,
        )
        return backend
    location, _, query = url.partition("?")
    config = {**DUCKDB_CONFIG, **dict(parse_qsl(query))}
    path = location.removeprefix("duckdb://")  # duckdb:///abs/w.duckdb -> /abs/w.duckdb
    if path not in ("", ":memory:"):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while True:
        try:
            duck: SQLBackend = ibis.duckdb.connect(path or ":memory:", **config)
            return duck
        except duckdb.IOException as exc:
            # Another process (the API, a worker, the CLI) holds the file for a moment.
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _same_type(a: dt.DataType, b: dt.DataType) -> bool:
    if a.is_timestamp() and b.is_timestamp():
        return True
    return bool(a.copy(nullable=True) == b.copy(nullable=True))


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass
class Warehouse:
    """One open connection to the warehouse."""

    backend: SQLBackend
    url: str
    _known: set[str] | None = field(default=None, repr=False)

    @property
    def engine(self) -> str:
        return str(self.backend.name)

    def tables(self) -> list[str]:
        return sorted(self.backend.list_tables())

    def has(self, name: str) -> bool:
        """Whether the table or view exists (the list is read once per connection, then
        kept up to date by what this connection creates)."""
        if self._known is None:
            self._known = set(self.backend.list_tables())
        return name in self._known

    def migrate(self, extractors: Sequence[type[Extractor]]) -> list[str]:
        """Create what is missing: the state table, each extractor's table and delta view.

        Returns the tables created. A table whose columns differ from its row type raises
        :class:`SchemaChangedError` (nothing is altered).
        """
        created = []
        if not self.has(STATE_TABLE):
            self.backend.create_table(STATE_TABLE, schema=STATE_SCHEMA)
            created.append(STATE_TABLE)
            self._known = None
        for extractor in extractors:
            table, schema = extractor.table(), extractor.schema()
            if self.has(table):
                existing = self.backend.get_schema(table)
                if list(existing.names) != list(schema.names) or not all(
                    _same_type(existing[n], schema[n]) for n in schema.names
                ):
                    raise SchemaChangedError(
                        table, f"has {list(existing.names)}, the row type {list(schema.names)}"
                    )
            else:
                self.backend.create_table(table, schema=schema)
                created.append(table)
                self._known = None
            self._create_delta_view(extractor)
        return created

    def _create_delta_view(self, extractor: type[Extractor]) -> None:
        view = extractor.delta_view()
        if view is None or self.has(view):
            return
        t = self.backend.table(extractor.table())
        order = t[extractor.time_column]
        window = ibis.window(order_by=order)
        deltas = {
            name: t[name] - t[name].lag(default=0).over(window)
            for name in differentiated_fields(extractor.row)
        }
        self.backend.create_view(view, t.select(extractor.time_column, **deltas), overwrite=True)
        self._known = None

    # -- the export state -----------------------------------------------------------------

    def last_day(self, table: str) -> datetime.date | None:
        # Plain SQL, as for every statement of the export's bookkeeping: compiling an Ibis
        # expression costs more than running it, and these run a few times per table.
        value = self._scalar(
            f"SELECT max(last_day) FROM {STATE_TABLE} WHERE table_name = {_literal(table)}"
        )
        return None if value is None else _as_date(value)

    def set_last_day(self, table: str, day: datetime.date) -> None:
        self._exec(f"DELETE FROM {STATE_TABLE} WHERE table_name = {_literal(table)}")
        self._exec(
            f"INSERT INTO {STATE_TABLE} (table_name, last_day) "
            f"VALUES ({_literal(table)}, DATE '{day.isoformat()}')"
        )

    # -- writing --------------------------------------------------------------------------

    def replace(
        self,
        extractor: type[Extractor],
        rows: ir.Table,
        start: datetime.date,
        end: datetime.date,
    ) -> int:
        """Replace the rows of ``[start, end)`` in the extractor's table; returns rows written."""
        table = extractor.table()
        column = _quote(extractor.time_column)
        low, high = _bound(extractor, start), _bound(extractor, end)
        self._exec(f"DELETE FROM {_quote(table)} WHERE {column} >= {low} AND {column} < {high}")
        typed = rows.select(*extractor.schema().names).cast(extractor.schema())
        self.backend.insert(table, typed)
        written = self._scalar(
            f"SELECT count(*) FROM {_quote(table)} WHERE {column} >= {low} AND {column} < {high}"
        )
        return int(written or 0)

    def _exec(self, sql: str) -> None:
        self._close(self.backend.raw_sql(sql))

    def _scalar(self, sql: str) -> Any:
        """The first column of the first row ``sql`` answers (None without a row)."""
        result: Any = self.backend.raw_sql(sql)
        try:
            row = result.fetchone()
        finally:
            self._close(result)
        return None if row is None else row[0]

    def _close(self, result: Any) -> None:
        # PostgreSQL hands back a cursor to close; DuckDB its connection itself, kept open.
        if result is not getattr(self.backend, "con", None):
            result.close()

    def read(self, table: str) -> ir.Table:
        return self.backend.table(table)

    def close(self) -> None:
        self.backend.disconnect()


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _bound(extractor: type[Extractor], day: datetime.date) -> str:
    if extractor.time_column == "day":
        return f"DATE '{day.isoformat()}'"
    return f"TIMESTAMPTZ '{day.isoformat()} 00:00:00+00'"


def _as_date(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])


@contextmanager
def open_warehouse(url: str) -> Iterator[Warehouse]:
    """The warehouse at ``url``, closed on exit."""
    warehouse = Warehouse(connect(url), url)
    try:
        yield warehouse
    finally:
        warehouse.close()
