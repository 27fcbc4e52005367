"""The analytics API's request and response models."""

from __future__ import annotations

import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

from soundstream_common.fields import IsoDay


class ColumnRead(BaseModel):
    name: str = Field(examples=["total_assignments"])
    type: str = Field(description="The warehouse type.", examples=["int64"])
    nullable: bool
    differentiated: bool = Field(
        description="Cumulative: its per-day differences are in the delta view."
    )


class ExtractorRead(BaseModel):
    name: str = Field(examples=["tag_activity_daily"])
    description: str
    kind: str = Field(description="`daily` (one row per day) or `rows` (each row stamped).")
    table: str = Field(description="The warehouse table (`<name>_v<version>` from version 2).")
    version: int
    delta_view: str | None = Field(description="The view of per-day differences, if any.")
    personal: bool = Field(description="Rows identify a person (exported only when allowed).")
    columns: list[ColumnRead]
    last_exported_day: datetime.date | None = Field(description="Null before the first export.")


class ExtractorList(BaseModel):
    items: list[ExtractorRead]
    warehouse: str = Field(description="The warehouse's engine.", examples=["duckdb"])


class ExportRunCreate(BaseModel):
    """An export: incremental when no range is given, else the range's days replaced."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{}, {"from": "2009-01-01", "to": "2009-01-31"}]},
    )

    start: IsoDay | None = Field(None, alias="from", description="First day included.")
    end: IsoDay | None = Field(None, alias="to", description="Last day included.")
    dry_run: StrictBool = Field(False, description="Compute the rows and write nothing.")
    extractors: list[str] = Field(
        default_factory=list, max_length=20, description="Only these extractors (all if empty)."
    )

    @model_validator(mode="after")
    def _range_in_order(self) -> ExportRunCreate:
        if self.start is not None and self.end is not None and self.start > self.end:
            raise ValueError("from must not be after to")
        return self


class ExportRunTableRead(BaseModel):
    extractor: str
    table: str
    first_day: datetime.date | None = Field(description="Null when the table was up to date.")
    last_day: datetime.date | None
    rows: int = Field(description="Rows written (or, in a dry run, that would be).")
    preview: list[dict[str, Any]] | None = Field(
        None, description="A dry run's first rows (50 at most)."
    )


class ExportRunRead(BaseModel):
    id: int | None = Field(description="Null for a dry run (not recorded).")
    started_at: datetime.datetime
    finished_at: datetime.datetime
    dry_run: bool
    rows: int
    tables: list[ExportRunTableRead]


class ExportRunList(BaseModel):
    items: list[ExportRunRead]


class QueryParamRead(BaseModel):
    name: str = Field(examples=["from"])
    type: str = Field(examples=["date"])
    required: bool
    default: Any = None
    description: str


class QueryTemplateRead(BaseModel):
    name: str = Field(examples=["top_tags"])
    description: str
    params: list[QueryParamRead]


class QueryTemplateList(BaseModel):
    items: list[QueryTemplateRead]


class QueryResult(BaseModel):
    query: str
    params: dict[str, Any] = Field(description="Every parameter, defaults filled in.")
    columns: list[str]
    rows: list[dict[str, Any]]


class QualitySummaryRead(BaseModel):
    id: int
    created_at: datetime.datetime
    as_of: datetime.date
    summary: dict[str, int] = Field(
        description="Totals: rows, missing and nonconforming values, duplicates, orphans, "
        "impossible dates, tag variant groups, non-genre tags."
    )


class QualityHistory(BaseModel):
    items: list[QualitySummaryRead] = Field(description="Newest first.")


class QualityReportRead(QualitySummaryRead):
    report: dict[str, Any] = Field(
        description="Per table and column, orphans, dates, tag variants, non-genre tags."
    )
