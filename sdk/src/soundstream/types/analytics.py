"""The analytics warehouse: extractors, export runs, query templates, data quality."""

from __future__ import annotations

import datetime as dt
from typing import Any

from soundstream._models import BaseModel


class WarehouseColumn(BaseModel):
    name: str
    type: str
    nullable: bool
    differentiated: bool


class Extractor(BaseModel):
    """A registered extractor and the warehouse table it writes."""

    name: str
    description: str
    kind: str
    table: str
    version: int
    delta_view: str | None = None
    personal: bool = False
    columns: list[WarehouseColumn] = []
    last_exported_day: dt.date | None = None


class ExportRunTable(BaseModel):
    extractor: str
    table: str
    first_day: dt.date | None = None
    last_day: dt.date | None = None
    rows: int
    preview: list[dict[str, Any]] | None = None


class ExportRun(BaseModel):
    """An export (``id`` is None for a dry run, which is not recorded)."""

    id: int | None = None
    started_at: dt.datetime
    finished_at: dt.datetime
    dry_run: bool
    rows: int
    tables: list[ExportRunTable] = []

    def to_pandas(self) -> Any:
        """One row per table of the run."""
        from soundstream._pandas import records_to_frame

        return records_to_frame(self.tables)


class QueryParam(BaseModel):
    name: str
    type: str
    required: bool
    default: Any = None
    description: str = ""


class QueryTemplate(BaseModel):
    name: str
    description: str
    params: list[QueryParam] = []


class QueryResult(BaseModel):
    """A query template's answer: its parameters, columns and rows."""

    query: str
    params: dict[str, Any] = {}
    columns: list[str] = []
    rows: list[dict[str, Any]] = []

    def to_pandas(self) -> Any:
        """The rows as a DataFrame (columns in the template's order)."""
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError(
                "to_pandas() needs pandas: pip install 'soundstream-sdk[pandas]'"
            ) from exc
        return pd.DataFrame.from_records(self.rows, columns=self.columns or None)


class QualitySummary(BaseModel):
    """One data-quality report's totals (a point of the trend)."""

    id: int
    created_at: dt.datetime
    as_of: dt.date
    summary: dict[str, int] = {}


class QualityReport(QualitySummary):
    """A whole data-quality report."""

    report: dict[str, Any] = {}
