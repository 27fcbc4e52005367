"""One outcome for two databases: the import's commit protocol and its recovery.

The import writes each database inside one transaction, but two databases cannot commit at
the same instant: a crash between the two commits would leave one new and one old. So:

1. Inside the catalog's transaction, before changing anything, the import copies each
   non-empty table it writes into ``import_undo_<table>``, and adds an ``import_journal``
   row naming the run (``pending``).
2. Inside the listening transaction it adds an ``import_journal`` row with the same id.
3. The catalog commits first, then the listening database. **The listening commit is the
   decision**: from that instant the run has happened; before it, it has not.
4. Clean-up, by :func:`recover`: the catalog's copies and both journal rows are dropped.

A crash anywhere leaves, at worst, a ``pending`` catalog run. :func:`recover` settles it:
when the listening database holds the run's row, the copies are dropped (the run stands);
otherwise the catalog's tables are restored from them (the run never happened). Every import
recovers first; so do ``soundstream-admin migrate`` and ``soundstream-admin dev``.

Recovery takes the listening database's write lock first, as the import does, so it never
judges a run still in progress: a run holds that lock from its start until its decision.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine

from listening.models import DatasetVersion
from soundstream_admin.importing.errors import DataImportError
from soundstream_admin.importing.loaders import Loader, loader_for
from soundstream_admin.importing.tables import CATALOG_TABLES, CATALOG_VERSION, Table

JOURNAL = "import_journal"
UNDO_PREFIX = "import_undo_"
_DATASET_VERSION = DatasetVersion.__tablename__


def undo_table(table: str) -> str:
    return f"{UNDO_PREFIX}{table}"


def lock_listening(listening: Loader) -> None:
    """Serialise with the listening service's writers, other imports and recoveries.

    On SQLite the loader's ``BEGIN IMMEDIATE`` already holds the database's write lock; on
    PostgreSQL every writer updates the dataset version row first.
    """
    listening.execute(f"UPDATE {_DATASET_VERSION} SET version = version WHERE id = 1")


def _create_journal(loader: Loader) -> None:
    loader.execute(
        f"CREATE TABLE IF NOT EXISTS {JOURNAL} "
        "(id VARCHAR(32) PRIMARY KEY, snapshots TEXT NOT NULL)"
    )


def _table_exists(loader: Loader, name: str) -> bool:
    if loader.engine.dialect.name == "sqlite":
        sql = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
    else:
        sql = "SELECT 1 FROM pg_tables WHERE schemaname = current_schema() AND tablename = %s"
    return bool(loader.fetch(sql, (name,)))


class ImportRun:
    """The journal of one run, written inside the run's own two transactions."""

    def __init__(self, catalog: Loader, listening: Loader) -> None:
        self.id = uuid.uuid4().hex
        self.catalog = catalog
        self.listening = listening

    def snapshot(self, tables: Sequence[Table] = CATALOG_TABLES) -> None:
        """Keep the catalog's current rows (before any change) and journal the run there."""
        _create_journal(self.catalog)
        kept = []
        for table in tables:
            if not self.catalog.is_empty(table.name):
                self.catalog.execute(
                    f"CREATE TABLE {undo_table(table.name)} AS SELECT * FROM {table.name}"
                )
                kept.append(table.name)
        self.catalog.execute(
            f"INSERT INTO {JOURNAL} (id, snapshots) VALUES ({_mark(self.catalog)}, "
            f"{_mark(self.catalog)})",
            (self.id, ",".join(kept)),
        )

    def vote(self) -> None:
        """The listening side of the journal: committing it decides the run."""
        _create_journal(self.listening)
        self.listening.execute(
            f"INSERT INTO {JOURNAL} (id, snapshots) VALUES ({_mark(self.listening)}, '')",
            (self.id,),
        )


def _mark(loader: Loader) -> str:
    return "?" if loader.engine.dialect.name == "sqlite" else "%s"


@dataclass(frozen=True)
class Recovery:
    """What :func:`recover` did with an unfinished run."""

    run: str
    outcome: str  # "completed" (the run stands) or "rolled back" (the catalog restored)

    def __str__(self) -> str:
        if self.outcome == "completed":
            return f"import {self.run}: committed before an interruption; clean-up finished"
        return f"import {self.run}: interrupted before its commit; the catalog was restored"


def recover(engines: Mapping[str, Engine]) -> list[Recovery]:
    """Settle every run a crash left unfinished; what was done, one entry per run."""
    listening = loader_for("listening", engines["listening"])
    catalog = loader_for("catalog", engines["catalog"])
    try:
        return _recover(catalog, listening)
    except catalog.driver_errors + listening.driver_errors as exc:
        raise DataImportError(f"recovery of an interrupted import failed: {exc}") from exc
    finally:
        for loader in (catalog, listening):
            _abandon(loader)


def _recover(catalog: Loader, listening: Loader) -> list[Recovery]:
    listening.begin()
    if not _table_exists(listening, _DATASET_VERSION):
        return []  # never migrated, so never imported into
    lock_listening(listening)
    decided = (
        {str(row[0]) for row in listening.fetch(f"SELECT id FROM {JOURNAL}")}
        if _table_exists(listening, JOURNAL)
        else set()
    )
    done = _settle_catalog(catalog, decided)
    if decided:
        listening.execute(f"DELETE FROM {JOURNAL}")
    listening.commit()
    return done


def _settle_catalog(catalog: Loader, decided: set[str]) -> list[Recovery]:
    catalog.begin()
    if not _table_exists(catalog, JOURNAL):
        catalog.rollback()
        return []
    done = []
    for run, snapshots in catalog.fetch(f"SELECT id, snapshots FROM {JOURNAL} ORDER BY id"):
        kept = [name for name in str(snapshots).split(",") if name]
        if str(run) in decided:
            done.append(Recovery(str(run), "completed"))
        else:
            _restore(catalog, kept)
            done.append(Recovery(str(run), "rolled back"))
        for name in kept:
            catalog.execute(f"DROP TABLE {undo_table(name)}")
    catalog.execute(f"DELETE FROM {JOURNAL}")
    catalog.commit()
    return done


def _restore(catalog: Loader, kept: Sequence[str]) -> None:
    """The catalog's imported tables as the snapshots recorded them (absent: empty), and
    its export version with them (a reader that saw the undone run's ETag reads again)."""
    catalog.clear(CATALOG_TABLES)
    restored = [table for table in CATALOG_TABLES if table.name in kept]
    if CATALOG_VERSION.name in kept:
        catalog.clear([CATALOG_VERSION])
        restored.append(CATALOG_VERSION)
    for table in restored:
        catalog.execute(f"INSERT INTO {table.name} SELECT * FROM {undo_table(table.name)}")


def _abandon(loader: Loader) -> None:
    with contextlib.suppress(*loader.driver_errors):
        loader.rollback()
    loader.close()


def recover_databases(urls: Mapping[str, str]) -> list[Recovery]:
    """:func:`recover` for the catalog and listening databases at these URLs."""
    from soundstream_common.db import create_db_engine

    engines = {name: create_db_engine(urls[name]) for name in ("catalog", "listening")}
    try:
        return recover(engines)
    finally:
        for engine in engines.values():
            engine.dispose()
