"""Every router of the recommender API, in the order they appear in the API documentation."""

from __future__ import annotations

from fastapi import APIRouter

from recommender.api import cold_start, feedback, models, pipeline, recommendations, similar

ROUTERS: list[APIRouter] = [
    recommendations.router,
    feedback.router,
    cold_start.router,
    similar.router,
    models.router,
    pipeline.router,
    pipeline.jobs,
]
