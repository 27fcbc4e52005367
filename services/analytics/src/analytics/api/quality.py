"""Data-quality reports: run one, the history (the trend), a report as JSON or HTML."""

from __future__ import annotations

from fastapi import APIRouter, status
from fastapi.responses import HTMLResponse

from analytics.api.responses import problems
from analytics.dependencies import HistoryLimit, ReportIdPath, SettingsDep
from analytics.schemas import QualityHistory, QualityReportRead
from analytics.services import quality
from soundstream_common.app import SessionDep

router = APIRouter(prefix="/analytics/quality", tags=["quality"])


@router.post(
    "",
    name="create",
    response_model=QualityReportRead,
    status_code=status.HTTP_201_CREATED,
    summary="Profile every service's data now and keep the report",
    responses=problems(503),
)
def create_report(session: SessionDep, settings: SettingsDep) -> QualityReportRead:
    return quality.create_report(session, settings=settings)


@router.get(
    "",
    name="history",
    response_model=QualityHistory,
    summary="Every report's summary, newest first (the trend)",
)
def history(session: SessionDep, limit: HistoryLimit = 30) -> QualityHistory:
    return QualityHistory(items=quality.history(session, limit=limit))


@router.get(
    "/latest",
    name="latest",
    response_model=QualityReportRead,
    summary="The latest report",
    responses=problems(404),
)
def latest(session: SessionDep) -> QualityReportRead:
    return quality.get_report(session)


@router.get(
    "/{report_id}",
    name="get",
    response_model=QualityReportRead,
    summary="A report",
    responses=problems(404),
)
def get_report(session: SessionDep, report_id: ReportIdPath) -> QualityReportRead:
    return quality.get_report(session, report_id=report_id)


@router.get(
    "/{report_id}/html",
    name="html",
    response_class=HTMLResponse,
    summary="A report as an HTML page, with the earlier runs' summaries",
    responses={200: {"content": {"text/html": {}}, "description": "The page."}, **problems(404)},
)
def report_html(session: SessionDep, report_id: ReportIdPath) -> HTMLResponse:
    return HTMLResponse(quality.report_html(session, report_id=report_id))
