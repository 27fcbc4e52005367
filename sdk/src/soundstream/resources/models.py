"""``client.models``: recommendation models, retraining and the training pipeline."""

from __future__ import annotations

import builtins

from soundstream._resource import AsyncAPIResource, SyncAPIResource
from soundstream.resources.jobs import (
    DEFAULT_POLL_INTERVAL,
    DEFAULT_WAIT_TIMEOUT,
    AsyncJobs,
    Jobs,
)
from soundstream.types.jobs import JobRun, JobRunAccepted
from soundstream.types.models import Model, Pipeline


class Models(SyncAPIResource):
    def list(self) -> builtins.list[Model]:
        """Every trained model, newest first."""
        return self._models("/v1/models", Model)

    def current(self) -> Model:
        """The model serving recommendations."""
        return self._model("GET", "/v1/models/current", Model)

    def retrain(self, *, force: bool = False) -> JobRunAccepted:
        """Start a run of the training graph (needs an ``admin`` key); ``force``: every step
        runs, even when the data and the code are unchanged."""
        params = {"force": force}
        return self._model("POST", "/v1/models/retrain", JobRunAccepted, params=params)

    def wait(
        self,
        run_id: str,
        *,
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        poll: float = DEFAULT_POLL_INTERVAL,
    ) -> JobRun:
        """Wait for a training run to succeed or fail (see ``jobs.wait``)."""
        return Jobs(self._client).wait(run_id, timeout=timeout, poll=poll)

    def pipeline(self) -> Pipeline:
        """The training pipeline's steps and their order, as they run."""
        return self._model("GET", "/v1/pipeline", Pipeline)


class AsyncModels(AsyncAPIResource):
    async def list(self) -> builtins.list[Model]:
        """Every trained model, newest first."""
        return await self._models("/v1/models", Model)

    async def current(self) -> Model:
        """The model serving recommendations."""
        return await self._model("GET", "/v1/models/current", Model)

    async def retrain(self, *, force: bool = False) -> JobRunAccepted:
        """Start a run of the training graph (needs an ``admin`` key); ``force``: every step
        runs, even when the data and the code are unchanged."""
        params = {"force": force}
        return await self._model("POST", "/v1/models/retrain", JobRunAccepted, params=params)

    async def wait(
        self,
        run_id: str,
        *,
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        poll: float = DEFAULT_POLL_INTERVAL,
    ) -> JobRun:
        """Wait for a training run to succeed or fail (see ``jobs.wait``)."""
        return await AsyncJobs(self._client).wait(run_id, timeout=timeout, poll=poll)

    async def pipeline(self) -> Pipeline:
        """The training pipeline's steps and their order, as they run."""
        return await self._model("GET", "/v1/pipeline", Pipeline)
