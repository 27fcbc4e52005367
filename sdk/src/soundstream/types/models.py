"""Trained recommendation models, retraining tasks and the training pipeline."""

from __future__ import annotations

import datetime as dt
from typing import Any

from soundstream._models import BaseModel

FINISHED_TASK_STATES = frozenset({"SUCCESS", "FAILURE", "REVOKED"})


class AlgorithmMetrics(BaseModel):
    algorithm: str
    baseline: bool
    params: dict[str, Any] = {}
    validation_ndcg: float
    precision_at_10: float
    recall_at_10: float
    ndcg_at_10: float
    coverage: float
    fit_seconds: float


class Model(BaseModel):
    version: str
    current: bool
    algorithm: str
    configuration: dict[str, Any] = {}
    dataset_version: int
    dataset_etag: str
    n_users: int
    n_artists: int
    training_seconds: float
    trained_at: dt.datetime
    best_baseline: str | None = None
    metrics: list[AlgorithmMetrics] = []


class RetrainAccepted(BaseModel):
    """A retraining was queued: poll ``models.task(task_id)`` or ``models.wait(task_id)``."""

    task_id: str
    status_url: str


class Task(BaseModel):
    """A background task (Celery states: PENDING, STARTED, SUCCESS, FAILURE, ...)."""

    task_id: str
    state: str
    steps: dict[str, str] = {}
    result: dict[str, Any] | None = None
    error: str | None = None

    @property
    def finished(self) -> bool:
        return self.state.upper() in FINISHED_TASK_STATES


class PipelineStep(BaseModel):
    id: str
    task: str
    description: str
    parallel: bool = False


class Pipeline(BaseModel):
    """The training pipeline as a graph (also as a Mermaid diagram)."""

    steps: list[PipelineStep]
    edges: list[list[Any]]
    mermaid: str
