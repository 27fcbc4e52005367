"""The recommender's schema: published model versions, their per-algorithm metrics, feedback.

- ``model_versions``: one row per published model (the Redis keys carry its ``version``);
  ``current`` marks the version the Redis pointer names, so the database alone can tell
  which model serves.
- ``algorithm_metrics``: one row per algorithm of a version (test and validation metrics,
  including the popular share, and the chosen hyper-parameters).
- ``feedback``: a user's ``hide`` / ``dislike`` of an artist; excluded from that user's
  answers at serving time, so it survives retrains.
- ``deleted_entities``: artists and users deleted in the catalog / listening service (from
  their events); filtered out of every answer at once, whatever the model still holds.
- ``job_runs``, ``job_task_runs``: the history of the training pipeline's runs
  (:mod:`soundstream_taskgraph.tables`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Integer,
    String,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from soundstream_common.db import UtcDateTime, make_metadata
from soundstream_taskgraph import history_tables


class Base(DeclarativeBase):
    metadata = make_metadata()


JOB_TABLES = history_tables(Base.metadata)


class ModelVersion(Base):
    __tablename__ = "model_versions"

    version: Mapped[str] = mapped_column(String(40), primary_key=True)
    dataset_version: Mapped[int] = mapped_column(Integer, nullable=False)
    dataset_etag: Mapped[str] = mapped_column(String(80), nullable=False)
    algorithm: Mapped[str] = mapped_column(String(40), nullable=False)
    configuration: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    artifact_path: Mapped[str] = mapped_column(String(500), nullable=False)
    n_users: Mapped[int] = mapped_column(Integer, nullable=False)
    n_artists: Mapped[int] = mapped_column(Integer, nullable=False)
    training_seconds: Mapped[float] = mapped_column(Float, nullable=False)
    trained_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    current: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class AlgorithmMetrics(Base):
    __tablename__ = "algorithm_metrics"

    version: Mapped[str] = mapped_column(
        ForeignKey("model_versions.version", ondelete="CASCADE"), primary_key=True
    )
    algorithm: Mapped[str] = mapped_column(String(40), primary_key=True)
    baseline: Mapped[bool] = mapped_column(Boolean, nullable=False)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    validation_ndcg: Mapped[float] = mapped_column(Float, nullable=False)
    precision: Mapped[float] = mapped_column(Float, nullable=False)
    recall: Mapped[float] = mapped_column(Float, nullable=False)
    ndcg: Mapped[float] = mapped_column(Float, nullable=False)
    coverage: Mapped[float] = mapped_column(Float, nullable=False)
    popular_share: Mapped[float | None] = mapped_column(Float, nullable=True)
    """Share of the recommendations among the 100 most played artists (newer versions)."""
    fit_seconds: Mapped[float] = mapped_column(Float, nullable=False)


FEEDBACK_KINDS = ("hide", "dislike")


class Feedback(Base):
    __tablename__ = "feedback"

    user_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    artist_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)

    __table_args__ = (CheckConstraint("kind IN ('hide', 'dislike')", name="kind_known"),)


DELETED_KINDS = ("artist", "user")


class DeletedEntity(Base):
    __tablename__ = "deleted_entities"

    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    entity_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    deleted_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)

    __table_args__ = (CheckConstraint("kind IN ('artist', 'user')", name="kind_known"),)
