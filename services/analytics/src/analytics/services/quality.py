"""Data-quality reports: build one from the exports, keep it (database and files), list them."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from analytics import operations
from analytics.config import Settings
from analytics.exceptions import ReportNotFoundError
from analytics.models import QualityReport
from analytics.quality import build_report, render_html
from analytics.schemas import QualityReportRead, QualitySummaryRead
from analytics.sources import Snapshot


def _summary(record: QualityReport) -> QualitySummaryRead:
    return QualitySummaryRead(
        id=record.id,
        created_at=record.created_at,
        as_of=record.as_of,
        summary=json.loads(record.summary),
    )


def _read(record: QualityReport) -> QualityReportRead:
    return QualityReportRead(**_summary(record).model_dump(), report=json.loads(record.report))


def create_report(
    session: Session, *, settings: Settings, snapshot: Snapshot | None = None
) -> QualityReportRead:
    """Profile the exports now; keep the report in the history and as JSON and HTML files."""
    snapshot = snapshot or operations.fetch(settings)
    report = build_report(snapshot)
    record = QualityReport(
        created_at=datetime.datetime.now(datetime.UTC),
        as_of=snapshot.as_of,
        summary=json.dumps(report["summary"]),
        report=json.dumps(report),
    )
    session.add(record)
    session.commit()
    earlier = [
        {"as_of": s.as_of.isoformat(), "summary": s.summary}
        for s in history(session, limit=30)
        if s.id != record.id
    ]
    write_files(settings.report_path, record.id, report, earlier)
    return _read(record)


def write_files(
    directory: Path, report_id: int, report: dict[str, Any], earlier: list[dict[str, Any]]
) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    stem = f"quality-{report_id:05d}-{report['as_of']}"
    (directory / f"{stem}.json").write_text(json.dumps(report, indent=1), "utf-8")
    (directory / f"{stem}.html").write_text(render_html(report, earlier), "utf-8")


def history(session: Session, *, limit: int) -> list[QualitySummaryRead]:
    records = session.scalars(select(QualityReport).order_by(QualityReport.id.desc()).limit(limit))
    return [_summary(r) for r in records]


def get_report(session: Session, *, report_id: int | None = None) -> QualityReportRead:
    """A report by id, or the latest one."""
    query = select(QualityReport)
    if report_id is None:
        query = query.order_by(QualityReport.id.desc()).limit(1)
    else:
        query = query.where(QualityReport.id == report_id)
    record = session.scalars(query).first()
    if record is None:
        raise ReportNotFoundError(
            "No data-quality report yet." if report_id is None else f"No report {report_id}."
        )
    return _read(record)


def report_html(session: Session, *, report_id: int | None = None) -> str:
    report = get_report(session, report_id=report_id)
    earlier = [
        {"as_of": s.as_of.isoformat(), "summary": s.summary}
        for s in history(session, limit=30)
        if s.id != report.id
    ]
    return render_html(report.report, earlier)
