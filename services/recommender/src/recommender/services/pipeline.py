"""The training graph as ``GET /pipeline`` describes it (a retrain starts it:
:func:`recommender.training.jobs.start_training`)."""

from __future__ import annotations

from recommender.schemas import PipelineRead, PipelineStep
from recommender.training.jobs import TRAINING
from soundstream_taskgraph import Jobs
from soundstream_taskgraph.render import to_mermaid


def describe_pipeline(jobs: Jobs) -> PipelineRead:
    """The training graph's steps, dependencies and Mermaid picture, as it runs."""
    bound = jobs.graph(TRAINING)
    graph = bound.graph
    parallel = {name for level in graph.levels() if len(level) > 1 for name in level}
    return PipelineRead(
        graph=graph.name,
        steps=[
            PipelineStep(
                id=task.name,
                task=bound.task_name(task.name),
                description=task.description,
                depends_on=list(task.dependencies),
                parallel=task.name in parallel,
            )
            for task in graph.tasks.values()
        ],
        edges=graph.edges,
        mermaid=to_mermaid(graph),
    )
