"""The validating read shared by requests that begin together: one command for them all, and
never a reply to a command sent before a request began."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from recommender.serving.coalesce import SharedRead


class Store:
    """A stand-in for Redis: ``fetch`` replies with the value as of when the command was
    sent; a test can hold a reply back (the command is already sent) with ``gate``."""

    def __init__(self) -> None:
        self.value = 0
        self.sent: list[int] = []
        self.gate: asyncio.Event | None = None
        self.in_flight = asyncio.Event()
        self.error: Exception | None = None

    async def fetch(self) -> Any:
        if self.error is not None:
            raise self.error
        reply = self.value
        self.sent.append(reply)
        self.in_flight.set()
        if self.gate is not None:
            await self.gate.wait()
        return reply


def test_requests_that_begin_together_share_one_read() -> None:
    async def scenario() -> list[Any]:
        store = Store()
        shared = SharedRead(store.fetch)
        replies = await asyncio.gather(*(shared.read() for _ in range(5)))
        assert len(store.sent) == 1
        return list(replies)

    assert asyncio.run(scenario()) == [0] * 5


def test_a_request_begun_while_a_read_is_in_flight_gets_a_later_read() -> None:
    async def scenario() -> None:
        store = Store()
        store.gate = asyncio.Event()
        shared = SharedRead(store.fetch)
        first = asyncio.create_task(shared.read())
        await store.in_flight.wait()  # the first read has been sent, its reply held back
        store.value = 1  # a change committed before the second request begins
        second = asyncio.create_task(shared.read())
        await asyncio.sleep(0)
        store.gate.set()

        assert await first == 0
        assert await second == 1, "a reply sent before the request began was reused"
        assert store.sent == [0, 1]

    asyncio.run(scenario())


def test_sequential_requests_each_get_their_own_read() -> None:
    async def scenario() -> None:
        store = Store()
        shared = SharedRead(store.fetch)
        for value in range(3):
            store.value = value
            assert await shared.read() == value
        assert store.sent == [0, 1, 2]

    asyncio.run(scenario())


def test_a_failed_read_fails_every_request_of_its_batch() -> None:
    async def scenario() -> list[Any]:
        store = Store()
        store.error = ConnectionError("down")
        shared = SharedRead(store.fetch)
        return list(
            await asyncio.gather(*(shared.read() for _ in range(3)), return_exceptions=True)
        )

    outcomes = asyncio.run(scenario())
    assert all(isinstance(outcome, ConnectionError) for outcome in outcomes)


def test_a_cancelled_request_leaves_the_others_their_answer() -> None:
    async def scenario() -> None:
        store = Store()
        store.gate = asyncio.Event()
        shared = SharedRead(store.fetch)
        leaving, staying = (asyncio.create_task(shared.read()) for _ in range(2))
        await store.in_flight.wait()
        leaving.cancel()
        store.gate.set()

        assert await staying == 0
        with pytest.raises(asyncio.CancelledError):
            await leaving

    asyncio.run(scenario())
