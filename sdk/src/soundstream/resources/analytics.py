"""``client.analytics``: the warehouse's extractors and exports, query templates, data quality."""

from __future__ import annotations

import builtins
import datetime as dt
from collections.abc import Sequence
from typing import Any

from soundstream._resource import AsyncAPIResource, SyncAPIResource, drop_unset
from soundstream.types.analytics import (
    ExportRun,
    Extractor,
    QualityReport,
    QualitySummary,
    QueryResult,
    QueryTemplate,
)


def _run_body(
    from_: dt.date | None, to: dt.date | None, dry_run: bool, extractors: Sequence[str]
) -> dict[str, Any]:
    return drop_unset(
        **{
            "from": from_.isoformat() if from_ else None,
            "to": to.isoformat() if to else None,
            "dry_run": dry_run,
            "extractors": list(extractors) or None,
        }
    )


def _query_params(
    from_: dt.date | None, to: dt.date | None, tag: str | None, limit: int | None
) -> dict[str, Any]:
    return {"from": from_, "to": to, "tag": tag, "limit": limit}


class Analytics(SyncAPIResource):
    def extractors(self) -> builtins.list[Extractor]:
        """The registered extractors, their tables and last exported day."""
        return self._models("/v1/analytics/extractors", Extractor)

    def run(
        self,
        *,
        from_: dt.date | None = None,
        to: dt.date | None = None,
        dry_run: bool = False,
        extractors: Sequence[str] = (),
    ) -> ExportRun:
        """Export the days since the last export, or re-export ``from_``..``to`` (both
        included, replaced); ``dry_run`` computes the rows and writes nothing."""
        body = _run_body(from_, to, dry_run, extractors)
        return self._model("POST", "/v1/analytics/runs", ExportRun, body=body)

    def runs(self, *, limit: int = 20) -> builtins.list[ExportRun]:
        """Export runs, newest first."""
        return self._models("/v1/analytics/runs", ExportRun, params={"limit": limit})

    def queries(self) -> builtins.list[QueryTemplate]:
        """The query templates and their parameters."""
        return self._models("/v1/analytics/queries", QueryTemplate)

    def query(
        self,
        name: str,
        *,
        from_: dt.date | None = None,
        to: dt.date | None = None,
        tag: str | None = None,
        limit: int | None = None,
    ) -> QueryResult:
        """Run a query template (pass only the parameters it lists); ``.to_pandas()`` on the
        answer gives its rows as a DataFrame."""
        params = _query_params(from_, to, tag, limit)
        return self._model("GET", f"/v1/analytics/queries/{name}", QueryResult, params=params)

    def create_quality_report(self) -> QualityReport:
        """Profile every service's data now and keep the report."""
        return self._model("POST", "/v1/analytics/quality", QualityReport)

    def quality_history(self, *, limit: int = 30) -> builtins.list[QualitySummary]:
        """Every report's totals, newest first (the trend)."""
        return self._models("/v1/analytics/quality", QualitySummary, params={"limit": limit})

    def latest_quality_report(self) -> QualityReport:
        return self._model("GET", "/v1/analytics/quality/latest", QualityReport)

    def quality_report(self, report_id: int) -> QualityReport:
        return self._model("GET", f"/v1/analytics/quality/{report_id}", QualityReport)

    def quality_report_html(self, report_id: int) -> str:
        """A report as a standalone HTML page."""
        return self._bytes(f"/v1/analytics/quality/{report_id}/html").decode("utf-8")


class AsyncAnalytics(AsyncAPIResource):
    async def extractors(self) -> builtins.list[Extractor]:
        """The registered extractors, their tables and last exported day."""
        return await self._models("/v1/analytics/extractors", Extractor)

    async def run(
        self,
        *,
        from_: dt.date | None = None,
        to: dt.date | None = None,
        dry_run: bool = False,
        extractors: Sequence[str] = (),
    ) -> ExportRun:
        """Export the days since the last export, or re-export ``from_``..``to``."""
        body = _run_body(from_, to, dry_run, extractors)
        return await self._model("POST", "/v1/analytics/runs", ExportRun, body=body)

    async def runs(self, *, limit: int = 20) -> builtins.list[ExportRun]:
        return await self._models("/v1/analytics/runs", ExportRun, params={"limit": limit})

    async def queries(self) -> builtins.list[QueryTemplate]:
        return await self._models("/v1/analytics/queries", QueryTemplate)

    async def query(
        self,
        name: str,
        *,
        from_: dt.date | None = None,
        to: dt.date | None = None,
        tag: str | None = None,
        limit: int | None = None,
    ) -> QueryResult:
        """Run a query template (pass only the parameters it lists)."""
        params = _query_params(from_, to, tag, limit)
        return await self._model("GET", f"/v1/analytics/queries/{name}", QueryResult, params=params)

    async def create_quality_report(self) -> QualityReport:
        return await self._model("POST", "/v1/analytics/quality", QualityReport)

    async def quality_history(self, *, limit: int = 30) -> builtins.list[QualitySummary]:
        return await self._models("/v1/analytics/quality", QualitySummary, params={"limit": limit})

    async def latest_quality_report(self) -> QualityReport:
        return await self._model("GET", "/v1/analytics/quality/latest", QualityReport)

    async def quality_report(self, report_id: int) -> QualityReport:
        return await self._model("GET", f"/v1/analytics/quality/{report_id}", QualityReport)

    async def quality_report_html(self, report_id: int) -> str:
        body = await self._bytes(f"/v1/analytics/quality/{report_id}/html")
        return body.decode("utf-8")
