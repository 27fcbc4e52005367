"""Recommender settings (environment prefix ``RECOMMENDER_``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import ClassVar

from pydantic import Field, model_validator

from soundstream_common.settings import EventConsumerSettings


class Settings(EventConsumerSettings):
    service_name: ClassVar[str] = "recommender"
    port: int = Field(8003, ge=1, le=65535, description="HTTP port.")
    listening_url: str = Field(
        "http://127.0.0.1:8002", description="Base URL of the listening service (snapshot)."
    )
    catalog_url: str = Field(
        "http://127.0.0.1:8001",
        description="Base URL of the catalog service (tag answers, tags of the training "
        "snapshot); empty = no tag answers, training without tags.",
    )
    upstream_timeout_seconds: float = Field(
        2.0, gt=0, description="Timeout of the serving path's calls to catalog and listening."
    )
    snapshot_timeout_seconds: float = Field(
        60.0, gt=0, description="Read timeout of the snapshot download."
    )
    celery_broker_url: str = Field(
        "", description="Celery broker; empty = the Redis URL's server, database 1."
    )
    celery_queue: str = Field("recommender", description="Queue the pipeline tasks run on.")
    worker_metrics_port: int | None = Field(
        None,
        ge=0,
        le=65535,
        description="Port of the Celery worker's Prometheus metrics (on HOST, with the "
        "metrics token); unset: none.",
    )
    key_prefix: str = Field("recommender", description="Prefix of every Redis key written.")
    snapshot_ttl_seconds: int = Field(
        86_400,
        ge=0,
        description="A downloaded snapshot is reused for this long while the data set's version "
        "is unchanged (the steps after it are kept while their inputs are unchanged).",
    )
    job_heartbeat_seconds: float = Field(
        2.0, gt=0, description="A running pipeline task records a heartbeat this often."
    )
    job_lost_after_seconds: float = Field(
        30.0,
        gt=0,
        description="A task silent for this long is recorded failed (its worker died), with its "
        "run, and the next run may start. A killed worker process is noticed by Celery at once; "
        "this bounds the case of a whole worker gone. Below about 30 s a saturated two-core "
        "machine (heartbeats delayed behind SQLite's write lock) loses live tasks.",
    )
    job_stall_seconds: float = Field(
        3600.0,
        gt=0,
        description="A run whose next tasks no worker starts for this long is recorded failed.",
    )
    task_soft_time_limit_seconds: int = Field(
        900, ge=1, description="Soft time limit of one pipeline task."
    )
    task_time_limit_seconds: int = Field(
        960, ge=1, description="Hard time limit of one pipeline task (the worker is killed)."
    )
    top_n: int = Field(100, ge=100, description="Recommendations precomputed per user.")
    similar_n: int = Field(50, ge=1, description="Similar artists/users precomputed per entity.")
    serving_cache_users: int = Field(
        20_000,
        ge=0,
        description="Users whose precomputed recommendations each API process keeps in memory "
        "(checked against the current version on every request); 0 = none.",
    )
    general_answer_seconds: float = Field(
        60,
        ge=0,
        description="How long each API process reuses an answer it computed on the general "
        "path (a user the model has no listens for: friends, tags, popularity; or a list topped "
        "up with popular artists) while the model version and the exclusions stay the same: "
        "a friend's new listens show within this time, feedback and deletions at once; 0 = "
        "never.",
    )
    explain_top: int = Field(20, ge=0, description="Recommendations per user explained.")
    max_artists: int = Field(
        50_000,
        ge=1,
        description="Catalogue the models train on and score: the most listened artists in the "
        "training data (all of them when there are fewer); the rest stay reachable through "
        "cold start and tags.",
    )
    max_eval_users: int = Field(
        5_000,
        ge=1,
        description="Users evaluated per split in tuning and testing: a seeded sample when more "
        "have a held-out artist (all of them otherwise).",
    )
    seed: int = Field(42, description="Seed of the holdout split and the stochastic models.")
    retrain_hour: int = Field(3, ge=0, le=23, description="Hour (UTC) of the nightly retrain.")
    retrain_minute: int = Field(0, ge=0, le=59, description="Minute of the nightly retrain.")
    train_at_start: bool = Field(
        True,
        description="When no model is published, the worker starts a first training run as "
        "soon as it is ready (in the background: start-up is not held up).",
    )
    retrain_after_changes: int = Field(
        1000,
        ge=0,
        description="listens.changed events that trigger a retrain once quiet; 0 = never.",
    )
    retrain_quiet_seconds: float = Field(
        300.0,
        ge=0,
        description="The debounced retrain waits until no listens.changed came for this long.",
    )

    @model_validator(mode="after")
    def _liveness_leaves_room_for_heartbeats(self) -> Settings:
        if self.job_lost_after_seconds < 3 * self.job_heartbeat_seconds:
            raise ValueError(
                "job_lost_after_seconds must be at least 3 heartbeats "
                f"({3 * self.job_heartbeat_seconds:g} s): a live task would be declared lost"
            )
        return self

    @property
    def artifacts_dir(self) -> Path:
        """Where pipeline runs keep their intermediate files and model artefacts."""
        return (self.data_dir / "recommender").resolve()

    @property
    def broker_url(self) -> str:
        """The Celery broker URL (a separate Redis database by default)."""
        if self.celery_broker_url:
            return self.celery_broker_url
        base = self.redis_url or "redis://127.0.0.1:6379/0"
        return base.rsplit("/", 1)[0] + "/1"


@lru_cache
def get_settings() -> Settings:
    return Settings()
