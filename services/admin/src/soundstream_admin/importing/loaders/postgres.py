"""PostgreSQL loader: the raw psycopg 3 connection and ``COPY ... FROM STDIN``.

Tables empty at the start are filled by COPY straight into the table. Otherwise each batch is
copied into a temporary staging table and merged with ``INSERT ... SELECT ... ON CONFLICT``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import psycopg
from sqlalchemy import Engine

from soundstream_admin.importing.batch import Batch, Row, binary_copy, text_copy
from soundstream_admin.importing.loaders.base import Loader, conflict_clause
from soundstream_admin.importing.tables import Table


class PostgresLoader(Loader):
    driver_errors = (psycopg.Error,)

    def __init__(self, name: str, engine: Engine) -> None:
        super().__init__(name, engine)
        self._raw: Any = None
        self._conn: psycopg.Connection[Any] | None = None
        self._stages: set[str] = set()

    def begin(self) -> None:
        self._raw = self.engine.raw_connection()
        conn = cast(psycopg.Connection[Any], self._raw.driver_connection)
        conn.autocommit = False
        conn.execute("SET LOCAL maintenance_work_mem = '512MB'")
        self._conn = conn

    @property
    def conn(self) -> psycopg.Connection[Any]:
        if self._conn is None:
            raise RuntimeError("the loader's transaction has not begun")
        return self._conn

    def commit(self) -> None:
        self.conn.commit()

    def rollback(self) -> None:
        if self._conn is not None and not self._conn.closed:
            self._conn.rollback()

    def close(self) -> None:
        if self._raw is not None:
            self._raw.close()
        self._raw = self._conn = None

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        return self.conn.execute(cast(Any, sql), params or None).rowcount

    def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return list(self.conn.execute(cast(Any, sql), params or None).fetchall())

    def _write(self, table: Table, rows: Sequence[Row] | Batch, *, update: bool) -> int:
        if self.is_fresh(table):
            self._copy(table.name, table, rows)
            return len(rows)
        stage = self._stage(table)
        self.execute(f"TRUNCATE {stage}")
        self._copy(stage, table, rows)
        columns = ", ".join(table.names)
        conflict = conflict_clause(table, update=update, distinct="IS DISTINCT FROM")
        return self.execute(
            f"INSERT INTO {table.name} ({columns}) SELECT {columns} FROM {stage} {conflict}"
        )

    def _copy(self, target: str, table: Table, rows: Sequence[Row] | Batch) -> None:
        """COPY ``rows`` into ``target``: binary for numeric batches, text otherwise."""
        statement = f"COPY {target} ({', '.join(table.names)}) FROM STDIN"
        if isinstance(rows, Batch):
            with_nulls = rows.null_rows()
            numeric = rows.select(~with_nulls) if with_nulls.any() else rows
            if len(numeric):
                self._send(f"{statement} (FORMAT BINARY)", binary_copy(numeric, table.types))
            rows = rows.select(with_nulls).rows() if with_nulls.any() else []
        if rows:
            self._send(statement, text_copy(rows))

    def _send(self, statement: str, data: bytes | str) -> None:
        with self.conn.cursor() as cursor, cursor.copy(cast(Any, statement)) as copy:
            copy.write(data)

    def _stage(self, table: Table) -> str:
        stage = f"import_stage_{table.name}"
        if stage not in self._stages:
            self.execute(
                f"CREATE TEMPORARY TABLE {stage} (LIKE {table.name} INCLUDING DEFAULTS) "
                "ON COMMIT DROP"
            )
            self._stages.add(stage)
        return stage

    def finish(self) -> None:
        super().finish()
        self._advance_id_sequences()
        # Fresh statistics, so the services' first queries get good plans.
        if self._fresh:
            self.execute("ANALYZE " + ", ".join(sorted(self._fresh)))

    def _advance_id_sequences(self) -> None:
        """Move serial id sequences past the imported ids, so the APIs' creates never collide."""
        serial = self.fetch(
            "SELECT table_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND column_name = 'id' "
            "AND column_default LIKE 'nextval(%'"
        )
        for (table,) in serial:
            self.fetch(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"GREATEST(COALESCE(MAX(id), 0), 1), MAX(id) IS NOT NULL) FROM {table}"
            )

    def deferrable(self, table: str) -> list[tuple[str, str]]:
        indexes = self.fetch(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i "
            "WHERE i.schemaname = current_schema() AND i.tablename = %s "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
            "WHERE c.conname = i.indexname AND c.conrelid = %s::regclass) "
            "ORDER BY i.indexname",
            (table, table),
        )
        foreign_keys = self.fetch(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
            (table,),
        )
        # A primary key no foreign key refers to is built faster once, from sorted data. A
        # repeated key cannot slip in meanwhile: every file's keys are checked at its end.
        primary_keys = self.fetch(
            "SELECT c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
            "WHERE c.conrelid = %s::regclass AND c.contype = 'p' AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.confrelid = c.conrelid)",
            (table,),
        )
        constraints = primary_keys + foreign_keys
        return [(f"DROP INDEX {name}", str(create)) for name, create in indexes] + [
            (
                f"ALTER TABLE {table} DROP CONSTRAINT {name}",
                f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}",
            )
            for name, definition in constraints
        ]

    def clear(self, tables: Sequence[Table]) -> None:
        self.execute("TRUNCATE " + ", ".join(table.name for table in tables))
