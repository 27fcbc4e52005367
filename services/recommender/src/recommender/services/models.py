"""Published model versions with their metrics, as the API reads them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from recommender.evaluation.experiment import BLEND_NAME
from recommender.exceptions import ModelNotFoundError
from recommender.models import AlgorithmMetrics, ModelVersion
from recommender.schemas import AlgorithmRead, ModelQuality, ModelRead


def list_models(session: Session) -> list[ModelRead]:
    """Every published version, newest first."""
    versions = list(session.scalars(select(ModelVersion).order_by(ModelVersion.trained_at.desc())))
    metrics = _metrics_of(session, [v.version for v in versions])
    return [_model_read(v, metrics[v.version]) for v in versions]


def current_model(session: Session) -> ModelRead:
    """The version serving now (404 ``model-not-found`` before any is published)."""
    version = session.scalars(select(ModelVersion).where(ModelVersion.current)).first()
    if version is None:
        raise ModelNotFoundError("no model has been published yet")
    return _model_read(version, _metrics_of(session, [version.version])[version.version])


def _metrics_of(session: Session, versions: list[str]) -> dict[str, list[AlgorithmMetrics]]:
    rows = session.scalars(
        select(AlgorithmMetrics)
        .where(AlgorithmMetrics.version.in_(versions))
        .order_by(AlgorithmMetrics.algorithm)
    )
    grouped: dict[str, list[AlgorithmMetrics]] = {v: [] for v in versions}
    for row in rows:
        grouped[row.version].append(row)
    return grouped


def _quality(metrics: list[AlgorithmMetrics]) -> ModelQuality | None:
    """The blend's row as the version's quality (and its lift over ALS)."""
    rows = {m.algorithm: m for m in metrics}
    blend, als = rows.get(BLEND_NAME), rows.get("als")
    if blend is None:
        return None
    return ModelQuality(
        ndcg_at_10=blend.ndcg,
        lift_over_als=blend.ndcg / als.ndcg - 1.0 if als is not None and als.ndcg else None,
        coverage=blend.coverage,
        popular_share_at_10=blend.popular_share,
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
        quality=_quality(metrics),
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
                popular_share_at_10=m.popular_share,
                fit_seconds=m.fit_seconds,
            )
            for m in metrics
        ],
    )
