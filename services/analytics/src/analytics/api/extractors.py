"""Extractors and export runs."""

from __future__ import annotations

from fastapi import APIRouter, status

from analytics.api.responses import problems
from analytics.dependencies import HistoryLimit, SettingsDep
from analytics.schemas import ExportRunCreate, ExportRunList, ExportRunRead, ExtractorList
from analytics.services import runs
from soundstream_common.app import CacheDep, SessionDep

router = APIRouter(prefix="/analytics", tags=["warehouse"])


@router.get(
    "/extractors",
    name="extractors",
    response_model=ExtractorList,
    summary="The registered extractors, their tables and last exported day",
)
def list_extractors(settings: SettingsDep) -> ExtractorList:
    return runs.list_extractors(settings)


@router.post(
    "/runs",
    name="run",
    response_model=ExportRunRead,
    status_code=status.HTTP_201_CREATED,
    summary="Export: the days since the last export, or a range (replaced), or a dry run",
    description="Without `from`/`to` each extractor exports the days after its last exported "
    "day up to yesterday (from the first date setting on a first run). A range replaces its "
    "days (idempotent). `dry_run` computes the rows and writes nothing, and answers with "
    "the first rows of each table.",
    responses=problems(404, 409, 422, 503),
)
def create_run(
    body: ExportRunCreate, session: SessionDep, settings: SettingsDep, cache: CacheDep
) -> ExportRunRead:
    return runs.run(session, settings=settings, request=body, cache=cache)


@router.get(
    "/runs",
    name="runs",
    response_model=ExportRunList,
    summary="Export runs, newest first",
)
def list_runs(session: SessionDep, limit: HistoryLimit = 20) -> ExportRunList:
    return ExportRunList(items=runs.history(session, limit=limit))
