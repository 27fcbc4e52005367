"""The jobs API of a service: its graphs, their pictures, their runs, starting a run.

A service mounts :func:`jobs_router` with a dependency giving its :class:`Jobs` (its bound
graphs and its history). The recommender mounts it at ``/jobs``; another service mounts it
under its own prefix and tag (``/analytics/jobs``, ``analytics-jobs``) so that the gateway's
generated routes and operation ids stay distinct.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status
from sqlalchemy.exc import SQLAlchemyError

from soundstream_common.errors import (
    ConflictError,
    DependencyUnavailableError,
    InvalidInputError,
    NotFoundError,
)
from soundstream_common.pagination import Page, PageParamsDep
from soundstream_taskgraph.declare import GraphDeclarationError
from soundstream_taskgraph.history import RunBusyError, RunHistory
from soundstream_taskgraph.queries import RunNotFoundError, get_run, last_task_runs, list_runs
from soundstream_taskgraph.records import RunRead
from soundstream_taskgraph.render import (
    ExportFormat,
    GraphvizFailedError,
    GraphvizUnavailableError,
    export,
)
from soundstream_taskgraph.runtime import BoundGraph
from soundstream_taskgraph.schemas import GraphRead, RunAccepted, graph_read
from soundstream_taskgraph.tables import RunState


class GraphNotFoundError(NotFoundError):
    slug, title = "graph-not-found", "No such task graph"


class JobRunNotFoundError(NotFoundError):
    slug, title = "run-not-found", "No such run"


class RunActiveError(ConflictError):
    slug, title = "run-active", "A run of this graph is already active"


@dataclass(frozen=True)
class Jobs:
    """A service's graphs (bound to its Celery app) and its run history."""

    graphs: dict[str, BoundGraph]
    history: Callable[[], RunHistory]

    def graph(self, name: str) -> BoundGraph:
        bound = self.graphs.get(name)
        if bound is None:
            known = ", ".join(sorted(self.graphs))
            raise GraphNotFoundError(f"no graph {name!r} (known: {known})")
        return bound


def jobs_router(
    get_jobs: Callable[[Request], Jobs], *, prefix: str = "/jobs", tag: str = "jobs"
) -> APIRouter:
    """The jobs routes under ``prefix``, reading the service's :class:`Jobs`."""
    router = APIRouter(prefix=prefix, tags=[tag])
    # Defaults, not an Annotated alias: annotations are strings here and a local alias
    # could not be resolved from them.
    jobs_of = Depends(get_jobs)

    @router.get(
        "/graphs",
        name="graphs",
        response_model=list[GraphRead],
        summary="The task graphs this service runs, as declared, with each task's last state",
    )
    def graphs(jobs: Jobs = jobs_of) -> list[GraphRead]:
        history = jobs.history()
        return [
            graph_read(bound, last_task_runs(history, name))
            for name, bound in sorted(jobs.graphs.items())
        ]

    @router.get(
        "/graphs/{graph}",
        name="graph",
        response_model=GraphRead,
        summary="One task graph: tasks, dependencies, levels, schedules, last states",
        responses={404: {"description": "No such graph."}},
    )
    def graph(graph: str, jobs: Jobs = jobs_of) -> GraphRead:
        bound = jobs.graph(graph)
        return graph_read(bound, last_task_runs(jobs.history(), graph))

    @router.get(
        "/graphs/{graph}/export",
        name="export",
        summary="The graph drawn with each task's last state: Mermaid, DOT, SVG or PNG",
        description="SVG and PNG are laid out by Graphviz; DOT is the source it lays out.",
        response_class=Response,
        responses={
            200: {
                "content": {fmt.media_type.split(";")[0]: {} for fmt in ExportFormat},
                "description": "The picture in the requested format.",
            },
            404: {"description": "No such graph."},
        },
    )
    def export_graph(
        graph: str,
        jobs: Jobs = jobs_of,
        format: Annotated[
            ExportFormat, Query(description="mermaid, dot, svg or png.")
        ] = ExportFormat.SVG,
    ) -> Response:
        bound = jobs.graph(graph)
        try:
            body = export(bound.graph, format, last_task_runs(jobs.history(), graph))
        except GraphvizUnavailableError as exc:
            raise DependencyUnavailableError(str(exc)) from exc
        except GraphvizFailedError as exc:
            raise DependencyUnavailableError(f"Graphviz could not draw the graph: {exc}") from exc
        return Response(body, media_type=format.media_type)

    @router.post(
        "/graphs/{graph}/runs",
        name="start",
        status_code=status.HTTP_202_ACCEPTED,
        response_model=RunAccepted,
        summary="Start a run of the graph (409 while one is active)",
        responses={404: {"description": "No such graph."}, 409: {"description": "Busy."}},
    )
    def start(
        graph: str,
        response: Response,
        jobs: Jobs = jobs_of,
        force: Annotated[
            bool, Query(description="Run every task, whatever its TTL and inputs.")
        ] = False,
        task: Annotated[
            list[str] | None,
            Query(description="Run only these tasks (and what they depend on); repeatable."),
        ] = None,
    ) -> RunAccepted:
        bound = jobs.graph(graph)
        run_id = start_run(bound, force=force, targets=task, trigger="api")
        response.headers["Location"] = f"{prefix}/runs/{run_id}"
        return RunAccepted(run_id=run_id, graph=graph, status_url=f"{prefix}/runs/{run_id}")

    @router.get(
        "/runs",
        name="runs",
        response_model=Page[RunRead],
        summary="Runs, newest first, with their tasks (state, attempts, times, kept or ran)",
        responses={404: {"description": "No such graph."}},
    )
    def runs(
        page: PageParamsDep,
        jobs: Jobs = jobs_of,
        graph: Annotated[
            str | None, Query(min_length=1, description="Only this graph's runs.")
        ] = None,
        state: Annotated[RunState | None, Query(description="Only runs in this state.")] = None,
    ) -> Page[RunRead]:
        if graph is not None:
            jobs.graph(graph)
        items, total = list_runs(
            jobs.history(), graph=graph, state=state, limit=page.limit, offset=page.offset
        )
        return page.page(items, total)

    @router.get(
        "/runs/{run_id}",
        name="run",
        response_model=RunRead,
        summary="One run and each of its tasks",
        responses={404: {"description": "No such run."}},
    )
    def run(run_id: str, jobs: Jobs = jobs_of) -> RunRead:
        try:
            return get_run(jobs.history(), run_id)
        except RunNotFoundError as exc:
            raise JobRunNotFoundError(f"no run {run_id}") from exc

    return router


def start_run(bound: BoundGraph, *, force: bool, targets: list[str] | None, trigger: str) -> str:
    """Start a run, mapping its failures to problems (422 unknown task, 409 busy, 503 when
    the broker cannot be reached)."""
    try:
        return bound.start(force=force, targets=targets, trigger=trigger)
    except GraphDeclarationError as exc:
        raise InvalidInputError(str(exc)) from exc
    except RunBusyError as exc:
        raise RunActiveError(str(exc), running=exc.running) from exc
    except SQLAlchemyError:
        raise  # the chassis answers 503 when the database is down
    except Exception as exc:
        raise DependencyUnavailableError(f"could not queue the run: {exc}") from exc
