"""``client.jobs``: scheduled work: task graphs, their pictures and their runs."""

from __future__ import annotations

import builtins
from typing import Literal
from urllib.parse import quote

from soundstream._exceptions import TaskTimeoutError
from soundstream._pagination import AsyncPaginator, SyncPage
from soundstream._resource import AsyncAPIResource, SyncAPIResource
from soundstream.types.jobs import JobGraph, JobRun, JobRunAccepted

ExportFormat = Literal["svg", "png", "dot", "mermaid"]
RunState = Literal["queued", "running", "succeeded", "failed"]
DEFAULT_WAIT_TIMEOUT = 900.0
DEFAULT_POLL_INTERVAL = 2.0


def _graph_path(graph: str) -> str:
    return f"/v1/jobs/graphs/{quote(graph, safe='')}"


def _run_path(run_id: str) -> str:
    return f"/v1/jobs/runs/{quote(run_id, safe='')}"


class Jobs(SyncAPIResource):
    def graphs(self) -> builtins.list[JobGraph]:
        """Every task graph, as declared, with each task's last state."""
        return self._models("/v1/jobs/graphs", JobGraph)

    def graph(self, graph: str) -> JobGraph:
        """One task graph (e.g. ``recommender.training``)."""
        return self._model("GET", _graph_path(graph), JobGraph)

    def export(self, graph: str, *, format: ExportFormat = "svg") -> bytes:
        """The graph drawn with each task's last state: SVG or PNG (laid out by Graphviz),
        or the DOT or Mermaid source (UTF-8)."""
        return self._bytes(_graph_path(graph) + "/export", params={"format": format})

    def start(
        self, graph: str, *, force: bool = False, tasks: builtins.list[str] | None = None
    ) -> JobRunAccepted:
        """Start a run (needs an ``admin`` key); ``tasks``: only these and what they need."""
        params = {"force": force or None, "task": tasks}
        return self._model("POST", _graph_path(graph) + "/runs", JobRunAccepted, params=params)

    def runs(
        self,
        *,
        graph: str | None = None,
        state: RunState | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> SyncPage[JobRun]:
        """Runs, newest first, each with its tasks."""
        params = {"graph": graph, "state": state, "limit": limit, "cursor": cursor}
        return self._page("/v1/jobs/runs", JobRun, params=params)

    def run(self, run_id: str) -> JobRun:
        """One run and each of its tasks."""
        return self._model("GET", _run_path(run_id), JobRun)

    def wait(
        self,
        run_id: str,
        *,
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        poll: float = DEFAULT_POLL_INTERVAL,
    ) -> JobRun:
        """Poll :meth:`run` every ``poll`` seconds until it succeeded or failed; raises
        :class:`TaskTimeoutError` after ``timeout`` seconds."""
        deadline = self._client._clock() + timeout
        while True:
            run = self.run(run_id)
            if run.finished:
                return run
            if self._client._clock() + poll > deadline:
                raise TaskTimeoutError(run_id, timeout)
            self._client._sleep(poll)


class AsyncJobs(AsyncAPIResource):
    async def graphs(self) -> builtins.list[JobGraph]:
        """Every task graph, as declared, with each task's last state."""
        return await self._models("/v1/jobs/graphs", JobGraph)

    async def graph(self, graph: str) -> JobGraph:
        """One task graph (e.g. ``recommender.training``)."""
        return await self._model("GET", _graph_path(graph), JobGraph)

    async def export(self, graph: str, *, format: ExportFormat = "svg") -> bytes:
        """The graph drawn with each task's last state: SVG or PNG (laid out by Graphviz),
        or the DOT or Mermaid source (UTF-8)."""
        return await self._bytes(_graph_path(graph) + "/export", params={"format": format})

    async def start(
        self, graph: str, *, force: bool = False, tasks: builtins.list[str] | None = None
    ) -> JobRunAccepted:
        """Start a run (needs an ``admin`` key); ``tasks``: only these and what they need."""
        params = {"force": force or None, "task": tasks}
        return await self._model(
            "POST", _graph_path(graph) + "/runs", JobRunAccepted, params=params
        )

    def runs(
        self,
        *,
        graph: str | None = None,
        state: RunState | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> AsyncPaginator[JobRun]:
        """Runs, newest first, each with its tasks."""
        params = {"graph": graph, "state": state, "limit": limit, "cursor": cursor}
        return self._page("/v1/jobs/runs", JobRun, params=params)

    async def run(self, run_id: str) -> JobRun:
        """One run and each of its tasks."""
        return await self._model("GET", _run_path(run_id), JobRun)

    async def wait(
        self,
        run_id: str,
        *,
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        poll: float = DEFAULT_POLL_INTERVAL,
    ) -> JobRun:
        """Poll :meth:`run` every ``poll`` seconds until it succeeded or failed; raises
        :class:`TaskTimeoutError` after ``timeout`` seconds."""
        deadline = self._client._clock() + timeout
        while True:
            run = await self.run(run_id)
            if run.finished:
                return run
            if self._client._clock() + poll > deadline:
                raise TaskTimeoutError(run_id, timeout)
            await self._client._sleep(poll)
