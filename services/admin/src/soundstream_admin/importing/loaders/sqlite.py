"""SQLite loader: the raw sqlite3 connection, ``executemany`` in large batches.

The connection comes from the service's engine, so ``PRAGMA foreign_keys=ON`` is set and is
enforced on every statement: the import writes parents before children.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Engine

from soundstream_admin.importing.batch import Batch, Row
from soundstream_admin.importing.loaders.base import Loader, conflict_clause
from soundstream_admin.importing.tables import Table

# Page cache for the run (KiB when negative): index builds and upserts stay in memory.
_CACHE_KIB = 262_144


class SqliteLoader(Loader):
    driver_errors = (sqlite3.Error,)

    def __init__(self, name: str, engine: Engine) -> None:
        super().__init__(name, engine)
        self._raw: Any = None
        self._conn: sqlite3.Connection | None = None
        self._statements: dict[tuple[str, str], str] = {}

    def begin(self) -> None:
        self._raw = self.engine.raw_connection()
        conn = cast(sqlite3.Connection, self._raw.driver_connection)
        conn.isolation_level = None  # transactions are issued explicitly below
        conn.execute(f"PRAGMA cache_size=-{_CACHE_KIB}")
        conn.execute("PRAGMA temp_store=MEMORY")
        conn.execute("PRAGMA threads=4")  # helper threads for sorting in CREATE INDEX
        # Take the write lock now: the run must not interleave with another writer.
        conn.execute("BEGIN IMMEDIATE")
        self._conn = conn

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            raise RuntimeError("the loader's transaction has not begun")
        return self._conn

    def commit(self) -> None:
        self.conn.execute("COMMIT")

    def rollback(self) -> None:
        if self._conn is not None and self._conn.in_transaction:
            self._conn.execute("ROLLBACK")

    def close(self) -> None:
        if self._raw is not None:
            if self._conn is not None:
                self._conn.isolation_level = "DEFERRED"  # back to the driver's default
            self._raw.close()
        self._raw = self._conn = None

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        return int(self.conn.execute(sql, params).rowcount)

    def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return list(self.conn.execute(sql, params).fetchall())

    def _write(self, table: Table, rows: Sequence[Row] | Batch, *, update: bool) -> int:
        # Empty at the start: a plain INSERT (a repeated key fails, and is then named by line).
        mode = "insert" if self.is_fresh(table) else "update" if update else "ignore"
        values = rows.rows() if isinstance(rows, Batch) else rows
        return int(self.conn.executemany(self._statement(table, mode), values).rowcount)

    def _statement(self, table: Table, mode: str) -> str:
        key = (table.name, mode)
        if key not in self._statements:
            columns = ", ".join(table.names)
            marks = ", ".join("?" for _ in table.names)
            conflict = (
                ""
                if mode == "insert"
                else conflict_clause(table, update=mode == "update", distinct="IS NOT")
            )
            self._statements[key] = (
                f"INSERT INTO {table.name} ({columns}) VALUES ({marks}) {conflict}"
            )
        return self._statements[key]

    def deferrable(self, table: str) -> list[tuple[str, str]]:
        rows = self.fetch(
            "SELECT name, sql FROM sqlite_master "
            "WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name",
            (table,),
        )
        return [(f"DROP INDEX {name}", str(sql)) for name, sql in rows]

    def clear(self, tables: Sequence[Table]) -> None:
        for table in reversed(tables):
            self.execute(f"DELETE FROM {table.name}")
