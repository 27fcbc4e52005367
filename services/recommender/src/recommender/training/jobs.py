"""The training pipeline, declared once: what runs, what ``GET /pipeline`` and the dashboard
draw, what Celery beat schedules and what the run history records all come from here.

::

    snapshot -> matrices -> train_<candidate> (in parallel) -> evaluate -> publish
       \\__________________________________________________________________/

``snapshot`` downloads the listening service's export and the catalog's tag assignments while
either data set version (ETag) is new or the downloaded copy older than
``SNAPSHOT_TTL_SECONDS``; every later step keeps its
last result while its definition (code and parameters) and inputs are unchanged; ``publish``
always checks, and flips the serving pointer only to a model that is not serving yet.

The candidates are the algorithms the snapshot has data for: listens (popularity, item-kNN,
ALS, EASE), friendships (social) and the catalog's tag assignments (tags), as in the offline
evaluation. Without the catalog the tag model scores nothing and the blend gives it no weight.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import redis
from celery import Celery
from sqlalchemy import Engine

import recommender.algorithms
import recommender.evaluation
from recommender.config import Settings
from recommender.models import JOB_TABLES
from recommender.training import (
    catalog_tags,
    compute,
    precompute,
    publishing,
    snapshot_client,
    steps,
)
from soundstream_taskgraph import (
    UNCHANGED,
    BoundGraph,
    Daily,
    Graph,
    Jobs,
    Retry,
    RunHistory,
    Task,
    bind_service_graph,
    start_run,
)
from soundstream_taskgraph.schemas import RunAccepted

TRAINING = "recommender.training"
CANDIDATES = ("popularity", "item_knn", "als", "ease", "social", "tags")
"""The algorithms trained on the snapshot (each a ``train_<name>`` step)."""

TRANSIENT = Retry(
    on=(snapshot_client.SnapshotUnavailableError, redis.ConnectionError, redis.TimeoutError),
    max_retries=3,
    backoff=2.0,
    backoff_max=60.0,
)
"""Retried: the listening service unreachable or answering 5xx, Redis connection errors."""

MODEL_CODE = (compute, precompute, recommender.algorithms, recommender.evaluation)
"""The code a trained model depends on beyond each step's own function."""


def start_training(jobs: Jobs, *, force: bool) -> RunAccepted:
    """Start a run of the training graph below (409 while one is in progress); ``force``
    retrains every step even when its code, parameters and inputs are unchanged."""
    run_id = start_run(jobs.graph(TRAINING), force=force, targets=None, trigger="api")
    return RunAccepted(run_id=run_id, graph=TRAINING, status_url=f"/jobs/runs/{run_id}")


def training_graph(settings: Settings) -> Graph:
    """The training pipeline for ``settings`` (parameters and schedule come from them)."""
    trains = [steps.train_step(name) for name in CANDIDATES]
    return Graph(
        TRAINING,
        [
            Task(
                steps.SNAPSHOT,
                steps.snapshot,
                description="Download the listening service's export (listens, friendships) "
                "and the catalog's tag assignments (none when the catalog cannot be read).",
                inputs=steps.dataset_version,
                ttl=timedelta(seconds=settings.snapshot_ttl_seconds),
                retries=TRANSIENT,
                runs_on=Daily(settings.retrain_hour, settings.retrain_minute),
                code=(snapshot_client, catalog_tags),
                available=steps.file_exists,
                idempotent=True,
            ),
            Task(
                steps.MATRICES,
                steps.matrices,
                depends_on=[steps.SNAPSHOT],
                description="Sparse user x artist matrix, seeded test and validation holdouts.",
                params={
                    "seed": settings.seed,
                    "max_artists": settings.max_artists,
                    "max_eval_users": settings.max_eval_users,
                },
                ttl=UNCHANGED,
                code=MODEL_CODE,
                available=steps.file_exists,
                idempotent=True,
            ),
            *[
                Task(
                    steps.train_step(name),
                    steps.train,
                    depends_on=[steps.MATRICES],
                    description=f"Tune {name} on the validation split.",
                    params={"algorithm": name, "seed": settings.seed},
                    ttl=UNCHANGED,
                    code=MODEL_CODE,
                    available=steps.file_exists,
                    idempotent=True,
                )
                for name in CANDIDATES
            ],
            Task(
                steps.EVALUATE,
                steps.evaluate,
                depends_on=[steps.MATRICES, *trains],
                description="Blend weights on validation, test metrics, refit on all data, "
                "precompute top-N, similar artists and users.",
                params={
                    "candidates": list(CANDIDATES),
                    "top_n": settings.top_n,
                    "similar_n": settings.similar_n,
                    "explain_top": settings.explain_top,
                },
                ttl=UNCHANGED,
                code=MODEL_CODE,
                available=steps.file_exists,
                idempotent=True,
            ),
            Task(
                steps.PUBLISH,
                steps.publish,
                depends_on=[steps.SNAPSHOT, steps.EVALUATE],
                description="Unless that model already serves: record version and metrics, "
                "write versioned Redis keys, flip the current-version pointer, delete older "
                "keys.",
                retries=TRANSIENT,
                code=(publishing,),
                idempotent=True,
            ),
        ],
        description="Retrain the recommendation models from the listening service's data "
        "and the catalog's tags.",
    )


@dataclass(frozen=True)
class RecommenderJobs:
    """The recommender's Celery app with the training graph bound to it, and its history."""

    celery: Celery
    training: BoundGraph
    history: Callable[[], RunHistory]

    def jobs(self) -> Jobs:
        return Jobs(graphs={TRAINING: self.training}, history=self.history)


def create_jobs(settings: Settings, engine: Engine | None = None) -> RecommenderJobs:
    """The Celery app (broker, queue, time limits from ``settings``), the training graph on
    it with its beat entry, and the run history in the recommender's database (``engine``,
    or one made on first use in the process that needs it)."""
    bound = bind_service_graph(
        "recommender", settings, training_graph(settings), JOB_TABLES, engine
    )
    return RecommenderJobs(celery=bound.celery, training=bound.graph, history=bound.history)
