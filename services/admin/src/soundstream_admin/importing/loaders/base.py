"""What the import needs from a service database: one transaction, bulk writes, a few queries.

A loader holds a single transaction open for the whole run: nothing is visible to anyone else
until :meth:`Loader.commit`, and :meth:`Loader.rollback` leaves the database exactly as it was.

Writes are insert-or-update by primary key (``update=True``) or insert-if-absent
(``update=False``); a delete never happens implicitly, so existing children are never removed
by a cascade. Tables that were empty when the run began take a fast path (no conflict
handling on PostgreSQL, secondary indexes built once at the end).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine

from soundstream_admin.importing.batch import Batch, Row
from soundstream_admin.importing.tables import Table


class Loader(ABC):
    """One service database, written inside one transaction."""

    #: Exceptions of the database driver (a failed statement).
    driver_errors: tuple[type[BaseException], ...] = ()

    def __init__(self, name: str, engine: Engine) -> None:
        self.name = name
        self.engine = engine
        self._fresh: set[str] = set()
        # Rows inserted, updated or deleted so far (0 after a rerun on unchanged data).
        self.changed = 0
        # Statements that restore what the fast path dropped, in order.
        self._deferred: list[str] = []

    # transaction --------------------------------------------------------------------------
    @abstractmethod
    def begin(self) -> None:
        """Open the connection and start the run's transaction."""

    @abstractmethod
    def commit(self) -> None: ...

    @abstractmethod
    def rollback(self) -> None: ...

    @abstractmethod
    def close(self) -> None: ...

    # statements ---------------------------------------------------------------------------
    @abstractmethod
    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; the number of rows it changed."""

    @abstractmethod
    def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[Row]: ...

    @abstractmethod
    def _write(self, table: Table, rows: Sequence[Row] | Batch, *, update: bool) -> int:
        """Insert ``rows``; the number of rows inserted or changed."""

    def write(self, table: Table, rows: Sequence[Row] | Batch, *, update: bool) -> None:
        """Insert ``rows`` (values in ``table.names`` order), resolving key conflicts."""
        if len(rows):
            self.changed += self._write(table, rows, update=update)

    @abstractmethod
    def deferrable(self, table: str) -> list[tuple[str, str]]:
        """(drop, create) statements of what is cheaper to build after a bulk load.

        Secondary indexes on both back ends; foreign keys on PostgreSQL, where a re-added
        constraint validates every row in one join instead of a trigger per row.
        """

    @abstractmethod
    def clear(self, tables: Sequence[Table]) -> None:
        """Delete every row of ``tables`` (given parents first)."""

    # helpers ------------------------------------------------------------------------------
    def prepare(self, tables: Sequence[Table], *, replace: bool) -> None:
        """Empty the tables when replacing, then note which ones take the fast path."""
        if replace:
            if not all(self.is_empty(table.name) for table in tables):
                self.changed += 1  # rows deleted: the content changes even if reloaded as is
            self.clear(tables)
        self._fresh = {table.name for table in tables if self.is_empty(table.name)}
        for table in tables:
            if table.name in self._fresh:
                for drop, create in self.deferrable(table.name):
                    self.execute(drop)
                    self._deferred.append(create)

    def finish(self) -> None:
        """Rebuild what :meth:`prepare` dropped (still inside the transaction)."""
        while self._deferred:
            self.execute(self._deferred.pop(0))

    def is_fresh(self, table: Table) -> bool:
        return table.name in self._fresh

    def is_empty(self, table: str) -> bool:
        return not self.fetch(f"SELECT 1 FROM {table} LIMIT 1")

    def count(self, table: str) -> int:
        return int(self.fetch(f"SELECT COUNT(*) FROM {table}")[0][0])


def conflict_clause(table: Table, *, update: bool, distinct: str) -> str:
    """``ON CONFLICT`` for an insert-or-update (skipping identical rows) or insert-if-absent.

    ``distinct`` is the dialect's null-safe inequality (``IS NOT`` / ``IS DISTINCT FROM``).
    """
    key = ", ".join(table.key)
    if not update or not table.updatable:
        return f"ON CONFLICT ({key}) DO NOTHING"
    assignments = ", ".join(f"{column} = excluded.{column}" for column in table.updatable)
    changed = " OR ".join(
        f"{table.name}.{column} {distinct} excluded.{column}" for column in table.updatable
    )
    return f"ON CONFLICT ({key}) DO UPDATE SET {assignments} WHERE {changed}"
