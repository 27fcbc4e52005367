"""``client.models``: recommendation models, retraining and the training pipeline."""

from __future__ import annotations

import builtins
from urllib.parse import quote

from soundstream._exceptions import TaskTimeoutError
from soundstream._resource import AsyncAPIResource, SyncAPIResource
from soundstream.types.models import Model, Pipeline, RetrainAccepted, Task

DEFAULT_WAIT_TIMEOUT = 900.0
DEFAULT_POLL_INTERVAL = 2.0


def _task_path(task_id: str) -> str:
    return f"/v1/tasks/{quote(task_id, safe='')}"


class Models(SyncAPIResource):
    def list(self) -> builtins.list[Model]:
        """Every trained model, newest first."""
        return self._models("/v1/models", Model)

    def current(self) -> Model:
        """The model serving recommendations."""
        return self._model("GET", "/v1/models/current", Model)

    def retrain(self, *, force: bool = False) -> RetrainAccepted:
        """Queue a retraining (needs an ``admin`` key); ``force`` even if the data is unchanged."""
        params = {"force": force or None}
        return self._model("POST", "/v1/models/retrain", RetrainAccepted, params=params)

    def task(self, task_id: str) -> Task:
        """The state of a background task and of each of its steps."""
        return self._model("GET", _task_path(task_id), Task)

    def wait(
        self,
        task_id: str,
        *,
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        poll: float = DEFAULT_POLL_INTERVAL,
    ) -> Task:
        """Poll :meth:`task` every ``poll`` seconds until it finishes (SUCCESS, FAILURE or
        REVOKED); raises :class:`TaskTimeoutError` after ``timeout`` seconds."""
        deadline = self._client._clock() + timeout
        while True:
            task = self.task(task_id)
            if task.finished:
                return task
            if self._client._clock() + poll > deadline:
                raise TaskTimeoutError(task_id, timeout)
            self._client._sleep(poll)

    def pipeline(self) -> Pipeline:
        """The training pipeline's steps and their order."""
        return self._model("GET", "/v1/pipeline", Pipeline)


class AsyncModels(AsyncAPIResource):
    async def list(self) -> builtins.list[Model]:
        """Every trained model, newest first."""
        return await self._models("/v1/models", Model)

    async def current(self) -> Model:
        """The model serving recommendations."""
        return await self._model("GET", "/v1/models/current", Model)

    async def retrain(self, *, force: bool = False) -> RetrainAccepted:
        """Queue a retraining (needs an ``admin`` key); ``force`` even if the data is unchanged."""
        params = {"force": force or None}
        return await self._model("POST", "/v1/models/retrain", RetrainAccepted, params=params)

    async def task(self, task_id: str) -> Task:
        """The state of a background task and of each of its steps."""
        return await self._model("GET", _task_path(task_id), Task)

    async def wait(
        self,
        task_id: str,
        *,
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        poll: float = DEFAULT_POLL_INTERVAL,
    ) -> Task:
        """Poll :meth:`task` every ``poll`` seconds until it finishes (SUCCESS, FAILURE or
        REVOKED); raises :class:`TaskTimeoutError` after ``timeout`` seconds."""
        deadline = self._client._clock() + timeout
        while True:
            task = await self.task(task_id)
            if task.finished:
                return task
            if self._client._clock() + poll > deadline:
                raise TaskTimeoutError(task_id, timeout)
            await self._client._sleep(poll)

    async def pipeline(self) -> Pipeline:
        """The training pipeline's steps and their order."""
        return await self._model("GET", "/v1/pipeline", Pipeline)
