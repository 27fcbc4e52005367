"""Every router of the recommender API, in one place."""

from __future__ import annotations

from fastapi import APIRouter

from recommender.api import pipeline, recommendations

ROUTERS: list[APIRouter] = [
    recommendations.router,
    recommendations.similar_router,
    pipeline.router,
]
