"""Trained recommendation models and the training pipeline."""

from __future__ import annotations

import datetime as dt
from typing import Any

from soundstream._models import BaseModel


class AlgorithmMetrics(BaseModel):
    algorithm: str
    baseline: bool
    params: dict[str, Any] = {}
    validation_ndcg: float
    precision_at_10: float
    recall_at_10: float
    ndcg_at_10: float
    coverage: float
    popular_share_at_10: float | None = None
    fit_seconds: float


class ModelQuality(BaseModel):
    """The published blend on the test split: NDCG@10, its lift over the tuned ALS
    (0.05 = +5%), catalogue coverage and the share of the 100 most played artists."""

    ndcg_at_10: float
    lift_over_als: float | None = None
    coverage: float
    popular_share_at_10: float | None = None


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
    quality: ModelQuality | None = None
    metrics: list[AlgorithmMetrics] = []


class PipelineStep(BaseModel):
    id: str
    task: str
    description: str
    depends_on: list[str] = []
    parallel: bool = False


class Pipeline(BaseModel):
    """The training pipeline as it runs (also as a Mermaid diagram); its runs are in
    ``client.jobs`` under the graph ``graph``."""

    graph: str = "recommender.training"
    steps: list[PipelineStep]
    edges: list[list[Any]]
    mermaid: str
