"""The training pipeline as Celery tasks: a DAG of steps, published atomically.

``recommender.retrain`` takes the single-flight lock, downloads the snapshot and either stops
(the data set version equals the current model's and that model is younger than its TTL,
unless forced) or replaces itself with the rest of the DAG::

    matrices -> chord(train[algorithm] for each candidate) -> evaluate -> publish

Steps pass a run directory (files) along, never arrays through the broker. Every step but the
first is idempotent (it rewrites the same files / versioned keys), so those are acknowledged
late and redelivered if a worker dies. A final failure anywhere marks the step failed and
releases the lock; the previous model keeps serving because only ``publish`` flips the
pointer, after everything else is in place.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import redis
from celery import Task, chain, chord, group
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from recommender.celery_app import app
from recommender.config import Settings, get_settings
from recommender.models import AlgorithmMetrics, ModelVersion
from recommender.pipeline import training
from recommender.pipeline.snapshot_client import SnapshotUnavailableError, fetch_snapshot
from recommender.store import ModelStore
from soundstream_common.db import create_db_engine

TRANSIENT = (SnapshotUnavailableError, redis.ConnectionError, redis.TimeoutError)
RETRY = {
    "autoretry_for": TRANSIENT,
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 3,
}
IDEMPOTENT = {"acks_late": True, "reject_on_worker_lost": True}


@cache
def _engine() -> Engine:
    settings = get_settings()
    return create_db_engine(settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)


@cache
def _store() -> ModelStore:
    settings = get_settings()
    return ModelStore(redis.Redis.from_url(settings.redis_url), settings.key_prefix)


def pipeline_task(**options: Any) -> Callable[[Callable[..., Any]], Any]:
    """``app.task`` with its options: the decorated function becomes a Celery task object."""
    decorator: Callable[[Callable[..., Any]], Any] = app.task(**options)
    return decorator


def run_dir(settings: Settings, run_id: str) -> Path:
    return settings.artifacts_dir / "runs" / run_id


class RunAbandonedError(RuntimeError):
    """The run no longer holds the retrain lock (it expired after its worker was lost)."""


@contextmanager
def lock_heartbeat(store: ModelStore, run_id: str, ttl_seconds: int) -> Iterator[None]:
    """Renew the run's lock every third of its TTL while the block runs: a run whose worker
    dies stops renewing, so its lock expires and the next retrain may start."""
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(ttl_seconds / 3):
            try:
                if not store.renew_lock(run_id, ttl_seconds):
                    return
            except (redis.ConnectionError, redis.TimeoutError):
                continue  # Redis is back soon, or the lock expires: both are safe

    thread = threading.Thread(target=beat, name=f"lock-{run_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


@contextmanager
def step(task: Task, run_id: str, name: str) -> Iterator[ModelStore]:
    """Run step ``name`` of run ``run_id`` while it holds (and renews) the retrain lock.

    A step of a run that lost its lock (a redelivered or late task of a dead run) fails at
    once and touches nothing. On a final failure (not a transient error that will be retried)
    the step is recorded failed and the lock freed before the failure is reported, so the
    run's state is complete when its result is."""
    store = _store()
    ttl = get_settings().lock_ttl_seconds
    try:
        if not store.renew_lock(run_id, ttl):
            raise RunAbandonedError(f"run {run_id} no longer holds the retrain lock")
        store.set_step(run_id, name, "running")
        with lock_heartbeat(store, run_id, ttl):
            yield store
    except Exception as exc:
        if not (isinstance(exc, TRANSIENT) and task.request.retries < task.max_retries):
            store.set_step(run_id, name, f"failed: {type(exc).__name__}: {exc}"[:300])
            store.release_lock(run_id)
        raise
    store.set_step(run_id, name, "done")


@pipeline_task(name="recommender.retrain", bind=True, **RETRY)
def retrain(self: Task, force: bool = False) -> dict[str, Any]:
    """Step 1 (snapshot): lock, download, decide; then hand over to the rest of the DAG."""
    settings = get_settings()
    store = _store()
    run_id = str(self.request.id)
    if not store.acquire_lock(run_id, settings.lock_ttl_seconds):
        return {"status": "busy", "running": store.lock_owner()}
    with step(self, run_id, "snapshot"):
        dataset = fetch_snapshot(settings.listening_url, timeout=settings.snapshot_timeout_seconds)
        fresh = not force and _is_fresh(settings, dataset.version)
        if not fresh:
            training.write_pickle(run_dir(settings, run_id) / "snapshot.pkl", dataset)
    if fresh:
        store.set_step(run_id, "snapshot", "skipped: model up to date")
        store.release_lock(run_id)
        return {"status": "skipped", "dataset_version": dataset.version}
    names = training.candidate_names(dataset)
    for name in ("matrices", *(f"train:{n}" for n in names), "evaluate", "publish"):
        store.set_step(run_id, name, "pending")
    workflow = chain(
        matrices.si(run_id),
        chord(group(train.si(run_id, name) for name in names), evaluate.s(run_id, names)),
        publish.s(run_id, started=time.time()),
    )
    raise self.replace(workflow)


def _is_fresh(settings: Settings, dataset_version: int) -> bool:
    """Whether the current model was trained on ``dataset_version`` within its TTL."""
    with Session(_engine()) as session:
        current = session.scalars(select(ModelVersion).where(ModelVersion.current)).first()
    if current is None or current.dataset_version != dataset_version:
        return False
    trained_at = current.trained_at.replace(tzinfo=current.trained_at.tzinfo or UTC)
    return datetime.now(UTC) - trained_at < timedelta(seconds=settings.model_ttl_seconds)


@pipeline_task(name="recommender.matrices", bind=True, **IDEMPOTENT, **RETRY)
def matrices(self: Task, run_id: str) -> dict[str, int]:
    """Step 2: the sparse matrices and the seeded splits."""
    settings = get_settings()
    with step(self, run_id, "matrices"):
        return training.build_matrices(
            run_dir(settings, run_id),
            seed=settings.seed,
            max_artists=settings.max_artists,
            max_eval_users=settings.max_eval_users,
        )


@pipeline_task(name="recommender.train", bind=True, **IDEMPOTENT, **RETRY)
def train(self: Task, run_id: str, algorithm: str) -> dict[str, Any]:
    """Step 3 (parallel): tune one candidate on validation."""
    settings = get_settings()
    with step(self, run_id, f"train:{algorithm}"):
        return training.train_candidate(run_dir(settings, run_id), algorithm, seed=settings.seed)


@pipeline_task(name="recommender.evaluate", bind=True, **IDEMPOTENT, **RETRY)
def evaluate(
    self: Task, trained: list[dict[str, Any]], run_id: str, names: list[str]
) -> dict[str, Any]:
    """Step 4: blend weights on validation, test metrics, refit on all data, precompute."""
    settings = get_settings()
    with step(self, run_id, "evaluate"):
        result = training.evaluate_and_blend(
            run_dir(settings, run_id),
            names,
            top_n=settings.top_n,
            similar_n=settings.similar_n,
            explain_top=settings.explain_top,
        )
    return {**result, "trained": trained}


@pipeline_task(name="recommender.publish", bind=True, **IDEMPOTENT, **RETRY)
def publish(self: Task, evaluated: dict[str, Any], run_id: str, started: float) -> dict[str, Any]:
    """Step 5: database rows, versioned Redis keys, then the pointer flip; old keys go last."""
    with step(self, run_id, "publish") as store:
        result = _publish(get_settings(), store, run_id, started)
    store.release_lock(run_id)
    return {**result, "best_baseline": evaluated["best_baseline"]}


def _publish(settings: Settings, store: ModelStore, run_id: str, started: float) -> dict[str, Any]:
    directory = run_dir(settings, run_id)
    dataset = training.read_pickle(directory / "snapshot.pkl")
    serving = training.read_pickle(directory / "serving.pkl")
    version = run_id
    artifact = settings.artifacts_dir / "models" / version
    artifact.mkdir(parents=True, exist_ok=True)
    shutil.copy2(directory / "serving.pkl", artifact / "serving.pkl")
    summary = serving["summary"]
    trained_at = datetime.now(UTC)
    meta = {
        "version": version,
        "dataset_version": dataset.version,
        "trained_at": trained_at.isoformat(),
        "algorithm": summary["chosen"],
    }
    store.write_version(version, serving, meta)
    if not store.renew_lock(run_id, settings.lock_ttl_seconds):
        store.delete_version(version)
        raise RunAbandonedError(f"run {run_id} lost the retrain lock before publishing")
    _record_version(settings, version, dataset, serving, artifact, trained_at, started)
    previous = store.flip(version)
    for old in store.versions_present() - {version}:
        store.delete_version(old)
    shutil.rmtree(directory, ignore_errors=True)
    return {"status": "published", "previous": previous, **meta}


def _record_version(
    settings: Settings,
    version: str,
    dataset: Any,
    serving: dict[str, Any],
    artifact: Path,
    trained_at: datetime,
    started: float,
) -> None:
    """Insert the version and its metrics and mark it current, in one transaction."""
    summary = serving["summary"]
    with Session(_engine()) as session, session.begin():
        existing = session.get(ModelVersion, version)
        if existing is not None:
            session.delete(existing)
            session.flush()
        session.execute(update(ModelVersion).values(current=False))
        session.add(
            ModelVersion(
                version=version,
                dataset_version=dataset.version,
                dataset_etag=dataset.etag,
                algorithm=summary["chosen"],
                configuration={"weights": summary["weights"], "seed": settings.seed},
                summary=summary,
                artifact_path=str(artifact),
                n_users=serving["n_users"],
                n_artists=serving["n_artists"],
                training_seconds=time.time() - started,
                trained_at=trained_at,
                current=True,
            )
        )
        session.flush()
        for name, row in summary["algorithms"].items():
            test = row["test"]
            session.add(
                AlgorithmMetrics(
                    version=version,
                    algorithm=name,
                    baseline=row["baseline"],
                    params=row["params"],
                    validation_ndcg=row["validation_ndcg"],
                    precision=test["precision@10"],
                    recall=test["recall@10"],
                    ndcg=test["ndcg@10"],
                    coverage=test["coverage"],
                    fit_seconds=row["fit_seconds"],
                )
            )
