"""Publishing a trained model: artefact, versioned Redis keys, database rows, pointer flip.

Order matters for readers: every key of the new version is written first, then the run's
liveness is checked (a run declared lost must not publish), then the version and its metrics
are recorded in the database, and only then does the pointer flip in one Redis command, so
readers see the old version or the new one, never a mix. Older versions' keys go last.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from recommender.changes import forget_before
from recommender.config import Settings
from recommender.models import AlgorithmMetrics, ModelVersion
from recommender.serving.store import ModelStore
from recommender.training import compute
from soundstream_taskgraph import RunAbandonedError, TaskContext


def serving_meta(store: ModelStore, version: str | None) -> dict[str, Any]:
    """The ``meta`` of ``version`` in Redis (empty when there is none)."""
    if version is None:
        return {}
    meta = store.get_json(version, "meta")
    return meta if isinstance(meta, dict) else {}


def publish_version(
    settings: Settings,
    store: ModelStore,
    engine: Engine,
    ctx: TaskContext,
    *,
    snapshot: Any,
    evaluated: Any,
) -> dict[str, Any]:
    """Publish the evaluated model as version ``ctx.run_id``."""
    version = ctx.run_id
    serving = compute.read_pickle(Path(evaluated["path"]))
    artifact = settings.artifacts_dir / "models" / version
    artifact.mkdir(parents=True, exist_ok=True)
    shutil.copy2(evaluated["path"], artifact / "serving.pkl")
    fold_in = compute.fold_in_path(Path(evaluated["path"]))
    if fold_in.is_file():
        shutil.copy2(fold_in, artifact / fold_in.name)
    summary = serving["summary"]
    trained_at = datetime.now(UTC)
    meta = {
        "version": version,
        "dataset_version": snapshot["dataset_version"],
        "trained_at": trained_at.isoformat(),
        "algorithm": summary["chosen"],
        "source": evaluated["result_key"],
    }
    store.write_version(version, serving, meta)
    try:
        ctx.ensure_active()
    except RunAbandonedError:
        store.delete_version(version)
        raise
    seconds = (trained_at - ctx.run_started_at).total_seconds()
    _record_version(settings, engine, version, snapshot, serving, artifact, trained_at, seconds)
    previous = store.flip(version)
    if "taken_at" in snapshot:  # the listens changed since are folded in at request time
        forget_before(store.client, store.prefix, float(snapshot["taken_at"]))
    for old in store.versions_present() - {version}:
        store.delete_version(old)
    return {
        "status": "published",
        "previous": previous,
        "best_baseline": evaluated["best_baseline"],
        **{key: meta[key] for key in ("version", "dataset_version", "trained_at", "algorithm")},
    }


def _record_version(
    settings: Settings,
    engine: Engine,
    version: str,
    snapshot: Any,
    serving: dict[str, Any],
    artifact: Path,
    trained_at: datetime,
    seconds: float,
) -> None:
    """Insert the version and its metrics and mark it current, in one transaction."""
    summary = serving["summary"]
    with Session(engine) as session, session.begin():
        existing = session.get(ModelVersion, version)
        if existing is not None:
            session.delete(existing)
            session.flush()
        session.execute(update(ModelVersion).values(current=False))
        session.add(
            ModelVersion(
                version=version,
                dataset_version=snapshot["dataset_version"],
                dataset_etag=snapshot["etag"],
                algorithm=summary["chosen"],
                configuration={"weights": summary["weights"], "seed": settings.seed},
                summary=summary,
                artifact_path=str(artifact),
                n_users=serving["n_users"],
                n_artists=serving["n_artists"],
                training_seconds=seconds,
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
                    popular_share=test.get("popular_share@10"),
                    fit_seconds=row["fit_seconds"],
                )
            )
