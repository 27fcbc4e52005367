"""models.wait polls a task until it finishes, or gives up after its timeout."""

from __future__ import annotations

from typing import Any

import pytest

from soundstream import TaskTimeoutError

RUNNING = {"task_id": "t-1", "state": "STARTED", "steps": {"train": "STARTED"}}
DONE = {"task_id": "t-1", "state": "SUCCESS", "steps": {"train": "SUCCESS"}, "result": {}}


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.now += seconds


def test_wait_polls_until_the_task_succeeds(api: Any) -> None:
    api.answer(api.json(RUNNING), api.json(RUNNING), api.json(DONE))
    task = api.client().models.wait("t-1", poll=1.5)
    assert task.state == "SUCCESS"
    assert task.finished
    assert api.sleeps == [1.5, 1.5]
    assert {r.url.path for r in api.requests} == {"/v1/tasks/t-1"}


def test_wait_returns_failed_tasks_too(api: Any) -> None:
    api.answer(api.json(RUNNING | {"state": "FAILURE", "error": "boom"}))
    task = api.client().models.wait("t-1")
    assert (task.state, task.error) == ("FAILURE", "boom")


def test_wait_gives_up_after_the_timeout(api: Any) -> None:
    clock = FakeClock()
    api.answer(api.json(RUNNING))
    client = api.client(clock=clock, sleep=clock.sleep)
    with pytest.raises(TaskTimeoutError) as caught:
        client.models.wait("t-1", timeout=10.0, poll=3.0)
    assert caught.value.task_id == "t-1"
    assert clock.now <= 10.0
    assert len(api.requests) == 4  # at 0, 3, 6 and 9 seconds


@pytest.mark.anyio
async def test_async_wait(api: Any) -> None:
    clock = FakeClock()
    api.answer(api.json(RUNNING), api.json(DONE))
    async with api.async_client(clock=clock, sleep=clock.async_sleep) as client:
        task = await client.models.wait("t-1", poll=2.0)
        assert task.finished
        api.answer(api.json(RUNNING))
        with pytest.raises(TaskTimeoutError):
            await client.models.wait("t-1", timeout=5.0, poll=2.0)
