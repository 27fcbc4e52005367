"""Analytics settings (environment prefix ``ANALYTICS_``)."""

from __future__ import annotations

import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field, model_validator
from sqlalchemy.engine import make_url

from soundstream_common.settings import EventConsumerSettings


class Settings(EventConsumerSettings):
    service_name: ClassVar[str] = "analytics"
    port: int = Field(8004, ge=1, le=65535, description="HTTP port.")
    warehouse_url: str = Field(
        "",
        description="The warehouse: `duckdb:///path/file.duckdb` or `postgresql://...` (a "
        "database of its own); empty = DuckDB file <data_dir>/analytics.duckdb.",
    )
    catalog_url: str = Field(
        "http://127.0.0.1:8001", description="The catalog service (its export is read)."
    )
    listening_url: str = Field(
        "http://127.0.0.1:8002", description="The listening service (its export is read)."
    )
    source_timeout_seconds: float = Field(
        60.0, gt=0, description="Timeout of reading one service's export."
    )
    first_date: datetime.date = Field(
        datetime.date(2005, 1, 1),
        description="The first day a backfill exports (earlier days are never exported).",
    )
    parquet_dir: Path | None = Field(
        None, description="Where Parquet exports go; empty = <data_dir>/parquet."
    )
    report_dir: Path | None = Field(
        None, description="Where data-quality reports go; empty = <data_dir>/quality."
    )
    source_cache_dir: Path | None = Field(
        None,
        description="Where the last export read from each service is kept with its ETag, so "
        "the next run reads only an export that changed; empty = <data_dir>/sources.",
    )
    export_personal_rows: bool = Field(
        False,
        description="Also export rows that identify a person (each tag assignment with its "
        "user); off by default: personal data leaves only aggregated.",
    )

    # The daily task graph (analytics.daily) on Celery.
    celery_broker_url: str = Field(
        "", description="Celery broker; empty = the Redis URL's server, database 1."
    )
    celery_queue: str = Field("analytics", description="Queue the daily graph's tasks run on.")
    daily_hour: int = Field(2, ge=0, le=23, description="Hour (UTC) of the daily run.")
    daily_minute: int = Field(30, ge=0, le=59, description="Minute of the daily run.")
    job_heartbeat_seconds: float = Field(
        2.0, gt=0, description="A running task of the daily graph records a heartbeat this often."
    )
    job_lost_after_seconds: float = Field(
        8.0, gt=0, description="A task silent for this long is recorded failed (its worker died)."
    )
    job_stall_seconds: float = Field(
        3600.0,
        gt=0,
        description="A run whose next tasks no worker starts for this long is recorded failed.",
    )
    task_soft_time_limit_seconds: int = Field(
        600, ge=1, description="Soft time limit of one task of the daily graph."
    )
    task_time_limit_seconds: int = Field(
        660, ge=1, description="Hard time limit of one task (the worker is killed)."
    )

    @property
    def broker_url(self) -> str:
        """The Celery broker URL (a separate Redis database by default)."""
        if self.celery_broker_url:
            return self.celery_broker_url
        base = self.redis_url or "redis://127.0.0.1:6379/0"
        return base.rsplit("/", 1)[0] + "/1"

    @model_validator(mode="after")
    def _fill_analytics_defaults(self) -> Settings:
        if not self.warehouse_url:
            self.warehouse_url = f"duckdb:///{(self.data_dir / 'analytics.duckdb').resolve()}"
        if self.parquet_dir is None:
            self.parquet_dir = self.data_dir / "parquet"
        if self.report_dir is None:
            self.report_dir = self.data_dir / "quality"
        if self.source_cache_dir is None:
            self.source_cache_dir = self.data_dir / "sources"
        return self

    def public_dict(self) -> dict[str, Any]:
        data = super().public_dict()
        if "://" in self.warehouse_url and not self.warehouse_url.startswith("duckdb"):
            url = make_url(self.warehouse_url)
            data["warehouse_url"] = url.render_as_string(hide_password=True)
        return data

    @property
    def parquet_path(self) -> Path:
        assert self.parquet_dir is not None
        return self.parquet_dir

    @property
    def report_path(self) -> Path:
        assert self.report_dir is not None
        return self.report_dir

    @property
    def source_cache_path(self) -> Path:
        assert self.source_cache_dir is not None
        return self.source_cache_dir


@lru_cache
def get_settings() -> Settings:
    return Settings()
