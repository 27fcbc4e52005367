"""jobs.wait and models.wait poll a run until it finishes, or give up after their timeout."""

from __future__ import annotations

from typing import Any

import pytest

from soundstream import TaskTimeoutError

RUNNING = {
    "id": "r-1",
    "graph": "recommender.training",
    "state": "running",
    "trigger": "api",
    "force": False,
    "counts": {},
    "created_at": "2026-12-01T03:00:00Z",
    "tasks": [{"task": "snapshot", "state": "running", "attempts": 1}],
}
DONE = RUNNING | {
    "state": "succeeded",
    "tasks": [
        {
            "task": "snapshot",
            "state": "kept",
            "attempts": 0,
            "reason_text": "unchanged since run r-0",
        }
    ],
}


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.now += seconds


def test_wait_polls_until_the_run_succeeds(api: Any) -> None:
    api.answer(api.json(RUNNING), api.json(RUNNING), api.json(DONE))
    run = api.client().models.wait("r-1", poll=1.5)
    assert run.state == "succeeded"
    assert run.finished
    assert run.task("snapshot").reason_text == "unchanged since run r-0"
    assert api.sleeps == [1.5, 1.5]
    assert {r.url.path for r in api.requests} == {"/v1/jobs/runs/r-1"}


def test_wait_returns_failed_runs_too(api: Any) -> None:
    api.answer(api.json(RUNNING | {"state": "failed", "error": "task snapshot failed: boom"}))
    run = api.client().jobs.wait("r-1")
    assert (run.state, run.error) == ("failed", "task snapshot failed: boom")


def test_wait_gives_up_after_the_timeout(api: Any) -> None:
    clock = FakeClock()
    api.answer(api.json(RUNNING))
    client = api.client(clock=clock, sleep=clock.sleep)
    with pytest.raises(TaskTimeoutError) as caught:
        client.models.wait("r-1", timeout=10.0, poll=3.0)
    assert caught.value.run_id == "r-1"
    assert clock.now <= 10.0
    assert len(api.requests) == 4  # at 0, 3, 6 and 9 seconds


@pytest.mark.anyio
async def test_async_wait(api: Any) -> None:
    clock = FakeClock()
    api.answer(api.json(RUNNING), api.json(DONE))
    async with api.async_client(clock=clock, sleep=clock.async_sleep) as client:
        run = await client.models.wait("r-1", poll=2.0)
        assert run.finished
        api.answer(api.json(RUNNING))
        with pytest.raises(TaskTimeoutError):
            await client.jobs.wait("r-1", timeout=5.0, poll=2.0)
