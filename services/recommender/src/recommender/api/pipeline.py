"""``/pipeline`` and ``/jobs``: the training graph as it runs, its pictures and run history."""

from __future__ import annotations

from fastapi import APIRouter

from recommender.dependencies import JobsDep, get_jobs
from recommender.schemas import PipelineRead
from recommender.services.pipeline import describe_pipeline
from soundstream_taskgraph import jobs_router

router = APIRouter(tags=["models"])


@router.get(
    "/pipeline",
    name="pipeline",
    response_model=PipelineRead,
    tags=["pipeline"],
    summary="The training graph as it runs (steps, dependencies and a Mermaid rendering)",
)
def pipeline(jobs: JobsDep) -> PipelineRead:
    return describe_pipeline(jobs)


jobs = jobs_router(get_jobs)
"""``/jobs``: the training graph, its pictures and its run history (soundstream_taskgraph)."""
