"""The analytics service's own tables (SQLite or PostgreSQL, by its database URL): the history
of its runs and of its data-quality reports, and the domain events it followed. The statistics
themselves live in the warehouse (:mod:`analytics.warehouse`), whose tables the extractors'
row types define."""

from __future__ import annotations

import datetime

from sqlalchemy import Date, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from soundstream_common.db import UtcDateTime, make_metadata
from soundstream_taskgraph import history_tables


class Base(DeclarativeBase):
    metadata = make_metadata()


class ExtractRun(Base):
    """One run of the extractors (incremental or a re-exported range)."""

    __tablename__ = "extract_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    started_at: Mapped[datetime.datetime] = mapped_column(UtcDateTime, nullable=False)
    finished_at: Mapped[datetime.datetime] = mapped_column(UtcDateTime, nullable=False)
    rows: Mapped[int] = mapped_column(Integer, nullable=False)
    # Per table: the days exported and the rows written (JSON).
    tables: Mapped[str] = mapped_column(Text, nullable=False)


class QualityReport(Base):
    """One data-quality report: its summary (for the trend) and the whole report (JSON)."""

    __tablename__ = "quality_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime.datetime] = mapped_column(UtcDateTime, nullable=False)
    as_of: Mapped[datetime.date] = mapped_column(Date, nullable=False)
    summary: Mapped[str] = mapped_column(Text, nullable=False)
    report: Mapped[str] = mapped_column(Text, nullable=False)


class EventRecord(Base):
    """One domain event the ``analytics-events`` consumer handled, as of when it occurred."""

    __tablename__ = "event_log"
    __table_args__ = (Index("ix_event_log_occurred_at", "occurred_at"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    """The envelope's id: a redelivered event is recorded once."""
    type: Mapped[str] = mapped_column(String(40), nullable=False)
    occurred_at: Mapped[datetime.datetime] = mapped_column(UtcDateTime, nullable=False)
    artist_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """The artist created or deleted."""
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """The user created or deleted, or whose listen was written."""
    artists: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """How many artists' popularity a listens change carried."""


JOB_TABLES = history_tables(Base.metadata)
"""The run history of the daily task graph (``analytics.daily``)."""
