"""The training graph as the API starts and describes it."""

from __future__ import annotations

from recommender.schemas import PipelineRead, PipelineStep
from recommender.training.jobs import TRAINING
from soundstream_taskgraph import Jobs, start_run
from soundstream_taskgraph.render import to_mermaid
from soundstream_taskgraph.schemas import RunAccepted


def retrain(jobs: Jobs, *, force: bool) -> RunAccepted:
    """Start a run of the training graph (409 while one is in progress)."""
    run_id = start_run(jobs.graph(TRAINING), force=force, targets=None, trigger="api")
    return RunAccepted(run_id=run_id, graph=TRAINING, status_url=f"/jobs/runs/{run_id}")


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
