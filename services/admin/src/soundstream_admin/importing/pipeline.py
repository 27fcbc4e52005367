"""``run_import``: the HetRec files into the catalog and listening databases, all or nothing.

Each database is migrated to its latest schema, then written inside one transaction that
stays open for the whole run. Both transactions are committed only once every file has been
read and written; any error rolls both back, leaving every database as it was. A crash
between the two commits is settled by the journal (see :mod:`.journal`): every database ends
as before the run, or every database as after it.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from catalog.db import MIGRATIONS as CATALOG_MIGRATIONS
from listening.db import MIGRATIONS as LISTENING_MIGRATIONS
from listening.models import DatasetVersion
from soundstream_admin.importing import relations, tables
from soundstream_admin.importing.errors import DataImportError
from soundstream_admin.importing.journal import ImportRun, lock_listening, recover
from soundstream_admin.importing.loaders import Loader, loader_for
from soundstream_admin.importing.progress import ImportProgress
from soundstream_admin.importing.report import ImportReport
from soundstream_admin.importing.sources import DataLayout, DataSource
from soundstream_admin.importing.stages import Importer
from soundstream_common.db import create_db_engine

SERVICES = ("catalog", "listening")
DATASET_VERSION = DatasetVersion.__tablename__


def run_import(
    source: DataSource | Path,
    targets: Mapping[str, str],
    *,
    replace: bool = False,
    progress: bool | None = None,
    report_path: Path | None = None,
    notify: Callable[[str], None] | None = None,
) -> ImportReport:
    """Import ``source`` into ``targets`` (service name -> database URL) and report on it.

    ``replace`` empties the importer's tables first (in the same transaction); otherwise rows
    are merged by primary key, so running the same import twice changes nothing.
    ``progress``: show progress bars (default: when stderr is a terminal).
    ``notify`` hears what the recovery of an earlier, interrupted run did.
    Raises :class:`DataImportError` (``DataFileError`` for malformed input) after rolling back.
    """
    started = time.perf_counter()
    data = source if isinstance(source, DataSource) else DataSource(Path(source))
    layout = data.layout()
    missing = [name for name in SERVICES if name not in targets]
    if missing:
        raise ValueError(f"no database URL for {', '.join(missing)}")
    report = ImportReport(
        source=data.info,
        targets={
            name: make_url(targets[name]).render_as_string(hide_password=True) for name in SERVICES
        },
        mode="replace" if replace else "merge",
    )
    engines = {name: create_db_engine(targets[name]) for name in SERVICES}
    try:
        _migrate(engines)
        for recovered in recover(engines):
            if notify is not None:
                notify(str(recovered))
        catalog = loader_for("catalog", engines["catalog"])
        listening = loader_for("listening", engines["listening"])
        try:
            with ImportProgress(progress) as bar:
                _load(layout, catalog, listening, report, bar, replace=replace)
        except BaseException:
            # A catalog committed before a failed listening commit is restored now.
            with contextlib.suppress(DataImportError):
                recover(engines)
            raise
        # The run is decided: its snapshots and journal rows go.
        recover(engines)
    finally:
        for engine in engines.values():
            engine.dispose()
    report.elapsed_seconds = time.perf_counter() - started
    if report_path is not None:
        report.write_json(report_path)
    return report


def _migrate(engines: Mapping[str, Engine]) -> None:
    for name, migrations in (("catalog", CATALOG_MIGRATIONS), ("listening", LISTENING_MIGRATIONS)):
        try:
            migrations.upgrade(engines[name])
        except SQLAlchemyError as exc:
            raise DataImportError(f"{name} database: migration failed: {exc}") from exc


def _load(
    layout: DataLayout,
    catalog: Loader,
    listening: Loader,
    report: ImportReport,
    bar: ImportProgress,
    *,
    replace: bool,
) -> None:
    loaders = ((catalog, tables.CATALOG_TABLES), (listening, tables.LISTENING_TABLES))
    journal = ImportRun(catalog, listening)
    try:
        # The listening database first, as recoveries do: its lock orders them all.
        listening.begin()
        lock_listening(listening)
        catalog.begin()
        journal.snapshot((*tables.CATALOG_TABLES, tables.CATALOG_VERSION))
        for loader, owned in loaders:
            loader.prepare(owned, replace=replace)
        run = Importer(catalog, listening, report, bar)
        run.load_artists(layout.artists)
        run.load_tags(layout.tags)
        relations.load_listens(run, layout.listens)
        relations.load_assignments(run, layout.assignments, layout.assignments_format)
        relations.load_friends(run, layout.friends)
        run.load_popularity()
        order = {name: position for position, name in enumerate(report.files)}
        report.rejects.sort(key=lambda reject: (order[reject.file], reject.line))
        bar.start("indexes and checks")
        # Both databases rebuild their indexes at once: the builds run inside the database
        # drivers, outside the GIL, so the two cores share the work.
        with ThreadPoolExecutor(max_workers=len(loaders)) as pool:
            for finished in [pool.submit(loader.finish) for loader, _ in loaders]:
                finished.result()
        for loader, owned in loaders:
            report.tables[loader.name] = {table.name: loader.count(table.name) for table in owned}
            report.changed_rows[loader.name] = loader.changed
        for loader in (catalog, listening):
            if loader.changed:
                # A new version of the data set: the service's export sees a new ETag (the
                # recommender reads the listening one, the analytics service both).
                loader.execute(f"UPDATE {DATASET_VERSION} SET version = version + 1 WHERE id = 1")
        bar.start("commit")
        journal.vote()
        catalog.commit()
        listening.commit()  # the decision: see .journal
        bar.done()
    except BaseException as exc:
        for loader, _ in loaders:
            _rollback_quietly(loader)
        if isinstance(exc, catalog.driver_errors + listening.driver_errors + (SQLAlchemyError,)):
            raise DataImportError(f"database error: {exc}") from exc
        raise
    finally:
        for loader, _ in loaders:
            loader.close()


def _rollback_quietly(loader: Loader) -> None:
    # If the connection is already unusable, closing it discards the transaction anyway.
    with contextlib.suppress(*loader.driver_errors):
        loader.rollback()
