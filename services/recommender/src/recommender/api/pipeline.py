"""``/models``, ``/tasks`` and ``/pipeline``: triggering and inspecting training runs."""

from __future__ import annotations

from typing import Annotated, Any

import redis
from celery.result import AsyncResult
from fastapi import APIRouter, Query, status
from sqlalchemy import select

from recommender.api.dependencies import CeleryDep, ServingDep, SettingsDep
from recommender.models import AlgorithmMetrics, ModelVersion
from recommender.schemas import (
    AlgorithmRead,
    ModelRead,
    PipelineRead,
    PipelineStep,
    RetrainAccepted,
    TaskRead,
)
from recommender.tasks_graph import PIPELINE_EDGES, PIPELINE_STEPS, mermaid
from recommender.triggers import RetrainBusyError, start_retrain
from soundstream_common.app import SessionDep
from soundstream_common.errors import (
    ConflictError,
    DependencyUnavailableError,
    NotFoundError,
)

router = APIRouter(tags=["models"])


class RetrainRunningError(ConflictError):
    slug, title = "retrain-running", "A retrain is already running"


class ModelNotFoundError(NotFoundError):
    slug, title = "model-not-found", "No such model"


@router.post(
    "/models/retrain",
    name="retrain",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=RetrainAccepted,
    summary="Start the training pipeline (409 while a run is in progress)",
    responses={409: {"description": "A run is in progress."}},
)
def retrain(
    settings: SettingsDep,
    celery: CeleryDep,
    serving: ServingDep,
    force: Annotated[bool, Query(description="Retrain even when the data is unchanged.")] = True,
) -> RetrainAccepted:
    store = serving.store()
    if store is None:
        raise DependencyUnavailableError("Redis (broker and lock) is unavailable")
    try:
        task_id = start_retrain(store, celery, settings, force=force)
    except RetrainBusyError as exc:
        raise RetrainRunningError(running=exc.running) from exc
    except (redis.ConnectionError, redis.TimeoutError) as exc:
        raise DependencyUnavailableError("Redis (broker and lock) is unavailable") from exc
    except Exception as exc:
        raise DependencyUnavailableError(f"could not queue the run: {exc}") from exc
    return RetrainAccepted(task_id=task_id, status_url=f"/tasks/{task_id}")


@router.get("/tasks/{task_id}", name="task", response_model=TaskRead, summary="A run's state")
def task(task_id: str, celery: CeleryDep, serving: ServingDep) -> TaskRead:
    store = serving.store()
    steps: dict[str, str] = {}
    if store is not None:
        store.close_abandoned(task_id)
        steps = store.steps(task_id)
    result = AsyncResult(task_id, app=celery)
    state = str(result.state)
    value: Any = result.result if result.ready() else None
    return TaskRead(
        task_id=task_id,
        state=state,
        steps=steps,
        result=value if isinstance(value, dict) else None,
        error=None if value is None or isinstance(value, dict) else repr(value),
    )


def _model_read(version: ModelVersion, metrics: list[AlgorithmMetrics]) -> ModelRead:
    return ModelRead(
        version=version.version,
        current=version.current,
        algorithm=version.algorithm,
        configuration=version.configuration,
        dataset_version=version.dataset_version,
        dataset_etag=version.dataset_etag,
        n_users=version.n_users,
        n_artists=version.n_artists,
        training_seconds=version.training_seconds,
        trained_at=version.trained_at,
        best_baseline=version.summary.get("best_baseline"),
        metrics=[
            AlgorithmRead(
                algorithm=m.algorithm,
                baseline=m.baseline,
                params=m.params,
                validation_ndcg=m.validation_ndcg,
                precision_at_10=m.precision,
                recall_at_10=m.recall,
                ndcg_at_10=m.ndcg,
                coverage=m.coverage,
                fit_seconds=m.fit_seconds,
            )
            for m in metrics
        ],
    )


def _metrics_of(session: SessionDep, versions: list[str]) -> dict[str, list[AlgorithmMetrics]]:
    rows = session.scalars(
        select(AlgorithmMetrics)
        .where(AlgorithmMetrics.version.in_(versions))
        .order_by(AlgorithmMetrics.algorithm)
    )
    grouped: dict[str, list[AlgorithmMetrics]] = {v: [] for v in versions}
    for row in rows:
        grouped[row.version].append(row)
    return grouped


@router.get("/models", name="list", response_model=list[ModelRead], summary="Published versions")
def list_models(session: SessionDep) -> list[ModelRead]:
    versions = list(session.scalars(select(ModelVersion).order_by(ModelVersion.trained_at.desc())))
    metrics = _metrics_of(session, [v.version for v in versions])
    return [_model_read(v, metrics[v.version]) for v in versions]


@router.get(
    "/models/current",
    name="current",
    response_model=ModelRead,
    summary="The version serving now",
    responses={404: {"description": "No model published yet."}},
)
def current_model(session: SessionDep) -> ModelRead:
    version = session.scalars(select(ModelVersion).where(ModelVersion.current)).first()
    if version is None:
        raise ModelNotFoundError("no model has been published yet")
    return _model_read(version, _metrics_of(session, [version.version])[version.version])


@router.get(
    "/pipeline",
    name="pipeline",
    response_model=PipelineRead,
    tags=["pipeline"],
    summary="The training DAG (steps, dependencies and a mermaid rendering)",
)
def pipeline() -> PipelineRead:
    return PipelineRead(
        steps=[PipelineStep(**step) for step in PIPELINE_STEPS],
        edges=PIPELINE_EDGES,
        mermaid=mermaid(),
    )
