"""What the API, the CLI and the daily task graph do, each one function over the settings."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Sequence
from typing import TYPE_CHECKING

import httpx

from analytics.config import Settings
from analytics.exceptions import ExtractorNotFoundError
from analytics.export_cache import ExportCache
from analytics.extractors import registered
from analytics.framework import Extractor
from analytics.runner import RunResult, run_extractors
from analytics.sources import Snapshot, fetch_snapshot, read_event_log
from analytics.warehouse import open_warehouse
from soundstream_common.db import create_db_engine
from soundstream_common.service_token import service_headers

if TYPE_CHECKING:
    # Parquet (pyarrow.dataset, which loads pandas) only for the commands that write it.
    from analytics.parquet import ParquetTable


def extractors(settings: Settings, names: Sequence[str] = ()) -> tuple[type[Extractor], ...]:
    """The registered extractors (personal rows only where allowed), or those ``names``."""
    known = registered(personal_rows=settings.export_personal_rows)
    if not names:
        return known
    by_name = {e.name: e for e in known}
    for name in names:
        if name not in by_name:
            raise ExtractorNotFoundError(name)
    return tuple(by_name[name] for name in names)


def fetch(settings: Settings) -> Snapshot:
    """Both services' exports as they are now; only those that changed since the last run
    are read (the others are kept on disk, see :mod:`analytics.export_cache`); with the
    domain events recorded in the service's database."""
    timeout = httpx.Timeout(settings.source_timeout_seconds, connect=5.0)
    headers = service_headers(settings.service_token_value())
    with (
        httpx.Client(base_url=settings.catalog_url, timeout=timeout, headers=headers) as catalog,
        httpx.Client(
            base_url=settings.listening_url, timeout=timeout, headers=headers
        ) as listening,
    ):
        snapshot = fetch_snapshot(catalog, listening, ExportCache(settings.source_cache_path))
    engine = create_db_engine(settings.database_url)
    try:
        return dataclasses.replace(snapshot, events=read_event_log(engine))
    finally:
        engine.dispose()


def extract(
    settings: Settings,
    *,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    dry_run: bool = False,
    names: Sequence[str] = (),
    snapshot: Snapshot | None = None,
) -> RunResult:
    """An incremental run (no range), a re-export of ``[start, end)``, or a dry run."""
    chosen = extractors(settings, names)
    snapshot = snapshot or fetch(settings)
    with open_warehouse(settings.warehouse_url) as warehouse:
        return run_extractors(
            warehouse,
            snapshot,
            chosen,
            first_date=settings.first_date,
            start=start,
            end=end,
            dry_run=dry_run,
        )


def migrate(settings: Settings) -> list[str]:
    """Create the warehouse tables the registered row types need; returns those created."""
    with open_warehouse(settings.warehouse_url) as warehouse:
        return warehouse.migrate(extractors(settings))


def parquet(
    settings: Settings,
    *,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    names: Sequence[str] = (),
) -> list[ParquetTable]:
    """Export the warehouse tables to Parquet under the settings' directory."""
    from analytics.parquet import export_parquet

    with open_warehouse(settings.warehouse_url) as warehouse:
        return export_parquet(
            warehouse, extractors(settings, names), settings.parquet_path, start=start, end=end
        )
