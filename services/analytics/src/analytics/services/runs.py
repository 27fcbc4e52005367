"""Export runs: run the extractors, record the run, forget the cached query answers."""

from __future__ import annotations

import datetime
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from analytics import operations
from analytics.config import Settings
from analytics.framework import differentiated_fields
from analytics.models import ExtractRun
from analytics.runner import RunResult
from analytics.schemas import (
    ColumnRead,
    ExportRunCreate,
    ExportRunRead,
    ExportRunTableRead,
    ExtractorList,
    ExtractorRead,
)
from analytics.services.queries import QUERIES
from analytics.sources import Snapshot
from analytics.warehouse import open_warehouse
from soundstream_common.cache import ResponseCache

PREVIEW_ROWS = 50


def _tables(result: RunResult) -> list[ExportRunTableRead]:
    tables = []
    for t in result.tables:
        written = t.start != t.end
        preview = None
        if t.preview is not None:
            records: list[dict[str, Any]] = json.loads(
                t.preview.head(PREVIEW_ROWS).to_json(orient="records", date_format="iso")
            )
            preview = records
        tables.append(
            ExportRunTableRead(
                extractor=t.extractor,
                table=t.table,
                first_day=t.start if written else None,
                last_day=t.end - datetime.timedelta(days=1) if written else None,
                rows=t.rows,
                preview=preview,
            )
        )
    return tables


def run(
    session: Session,
    *,
    settings: Settings,
    request: ExportRunCreate,
    cache: ResponseCache | None = None,
    snapshot: Snapshot | None = None,
) -> ExportRunRead:
    """Export (or dry-run) as ``request`` says; a real run is recorded in the history."""
    started = datetime.datetime.now(datetime.UTC)
    end = request.end + datetime.timedelta(days=1) if request.end else None
    result = operations.extract(
        settings,
        start=request.start,
        end=end,
        dry_run=request.dry_run,
        names=request.extractors,
        snapshot=snapshot,
    )
    finished = datetime.datetime.now(datetime.UTC)
    tables = _tables(result)
    run_id = None
    if not request.dry_run:
        record = ExtractRun(
            started_at=started,
            finished_at=finished,
            rows=result.rows,
            tables=json.dumps([t.model_dump(mode="json", exclude={"preview"}) for t in tables]),
        )
        session.add(record)
        session.commit()
        run_id = record.id
        if cache is not None:
            cache.invalidate([QUERIES])
    return ExportRunRead(
        id=run_id,
        started_at=started,
        finished_at=finished,
        dry_run=request.dry_run,
        rows=result.rows,
        tables=tables,
    )


def history(session: Session, *, limit: int) -> list[ExportRunRead]:
    runs = session.scalars(select(ExtractRun).order_by(ExtractRun.id.desc()).limit(limit))
    return [
        ExportRunRead(
            id=r.id,
            started_at=r.started_at,
            finished_at=r.finished_at,
            dry_run=False,
            rows=r.rows,
            tables=[ExportRunTableRead.model_validate(t) for t in json.loads(r.tables)],
        )
        for r in runs
    ]


def list_extractors(settings: Settings) -> ExtractorList:
    with open_warehouse(settings.warehouse_url) as warehouse:
        has_state = warehouse.has("export_state")
        items = []
        for e in operations.extractors(settings):
            schema = e.schema()
            cumulative = set(differentiated_fields(e.row))
            items.append(
                ExtractorRead(
                    name=e.name,
                    description=e.description,
                    kind=e.kind,
                    table=e.table(),
                    version=e.version,
                    delta_view=e.delta_view(),
                    personal=e.personal,
                    columns=[
                        ColumnRead(
                            name=n,
                            type=str(schema[n].copy(nullable=True)),
                            nullable=schema[n].nullable,
                            differentiated=n in cumulative,
                        )
                        for n in schema.names
                    ],
                    last_exported_day=warehouse.last_day(e.table()) if has_state else None,
                )
            )
        return ExtractorList(items=items, warehouse=warehouse.engine)
