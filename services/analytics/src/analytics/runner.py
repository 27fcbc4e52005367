"""Runs of the extractors: incremental, re-export of a range, dry run.

- An incremental run exports, per extractor, the days after its last exported day (the first
  date setting bounds a backfill) up to yesterday.
- ``start``/``end`` re-exports that range, replacing its days: running it twice leaves the
  warehouse as running it once.
- A dry run computes the same rows and writes nothing (the sources are temporary tables).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from analytics.framework import Extractor
from analytics.sources import Snapshot, load_sources
from analytics.warehouse import Warehouse

if TYPE_CHECKING:
    import pandas as pd  # a dry run's preview; pandas loads only when one is computed


@dataclass(frozen=True)
class TableRun:
    """What one extractor did in a run."""

    extractor: str
    table: str
    start: datetime.date
    end: datetime.date
    rows: int
    preview: pd.DataFrame | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class RunResult:
    tables: list[TableRun]
    dry_run: bool

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)


def run_extractors(
    warehouse: Warehouse,
    snapshot: Snapshot,
    extractors: Sequence[type[Extractor]],
    *,
    first_date: datetime.date,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    dry_run: bool = False,
    today: datetime.date | None = None,
) -> RunResult:
    """Export ``extractors`` from ``snapshot`` into ``warehouse`` (see the module)."""
    today = today or snapshot.taken.date()
    limit = end or today
    if not dry_run:
        warehouse.migrate(extractors)
    plan = []
    for extractor in extractors:
        table = extractor.table()
        begin = start
        if begin is None:
            last = warehouse.last_day(table) if warehouse.has(extractor.table()) else None
            begin = first_date if last is None else last + datetime.timedelta(days=1)
        if extractor.observes_present:
            # Only the day the snapshot describes can be observed; other days stay as they are.
            begin = max(begin, snapshot.as_of)
            stop = min(limit, snapshot.as_of + datetime.timedelta(days=1))
        else:
            stop = limit
        plan.append((extractor, table, begin, stop))
    # Nothing to export (every table up to date): the sources are not even loaded.
    sources = (
        load_sources(warehouse.backend, snapshot)
        if any(begin < stop for *_, begin, stop in plan)
        else None
    )
    results = []
    for extractor, table, begin, stop in plan:
        if sources is None or begin >= stop:
            results.append(TableRun(extractor.name, table, begin, begin, 0))
            continue
        rows = extractor(sources).extract(begin, stop)
        if dry_run:
            frame = rows.select(*extractor.schema().names).cast(extractor.schema()).execute()
            results.append(TableRun(extractor.name, table, begin, stop, len(frame), frame))
            continue
        written = warehouse.replace(extractor, rows, begin, stop)
        last_day = stop - datetime.timedelta(days=1)
        previous = warehouse.last_day(table)
        if previous is None or previous < last_day:
            warehouse.set_last_day(table, last_day)
        results.append(TableRun(extractor.name, table, begin, stop, written))
    return RunResult(results, dry_run)


def describe(result: RunResult, *, max_rows: int = 20) -> str:
    """A run as text: per table its range and rows, and for a dry run the rows themselves."""
    lines = []
    for table in result.tables:
        verb = "would write" if result.dry_run else "wrote"
        if table.start == table.end:
            lines.append(f"{table.table}: up to date")
            continue
        last = table.end - datetime.timedelta(days=1)
        lines.append(f"{table.table}: {table.start} .. {last}: {verb} {table.rows} rows")
        if table.preview is not None and len(table.preview):
            lines.append(table.preview.to_string(index=False, max_rows=max_rows))
    return "\n".join(lines)
