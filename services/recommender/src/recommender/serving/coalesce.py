"""One Redis read shared by every request that began in the same event-loop iteration.

The hot read validates its in-process copies with a read of a few keys on every request. Under
load many requests begin together (the server reads several connections in one iteration of
the loop); each paying for its own round trip would cost more than the rest of the answer.
:class:`SharedRead` lets them share one: the first request of a batch schedules the read as a
task, and every request that begins before that task runs joins the batch. The task closes the
batch *before* it sends the command, so a request only ever receives a reply to a command sent
after it began — whatever was committed before a request began is in its reply, exactly as if
it had sent the command itself. A request that begins while a read is in flight starts the next
batch instead of taking the reply in flight.

The read runs in a task of its own, not in one of the requests: a request cancelled while it
waits (its client went away, the server is stopping) takes nobody else's answer with it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

Read = Callable[[], Awaitable[Any]]


class ReadCancelledError(ConnectionError):
    """The shared read was cancelled (the service is stopping) before it had a reply."""


class SharedRead:
    """``await read()`` = ``await fetch()``, shared with the requests that began alongside."""

    def __init__(self, fetch: Read) -> None:
        self._fetch = fetch
        self._batch: list[asyncio.Future[Any]] | None = None
        self._tasks: set[asyncio.Task[None]] = set()  # strong references while they run
        self.reads = 0  # commands sent (for tests and measurements)

    async def read(self) -> Any:
        """The reply to a read sent after this call began."""
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[Any] = loop.create_future()
        if self._batch is None:
            self._batch = [waiter]
            task = loop.create_task(self._send())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        else:
            self._batch.append(waiter)
        return await waiter

    async def _send(self) -> None:
        batch, self._batch = self._batch or [], None  # closed before the command goes out
        self.reads += 1
        try:
            reply = await self._fetch()
        except Exception as exc:
            _settle(batch, exc)
        except BaseException:
            _settle(batch, ReadCancelledError("the shared read was cancelled"))
            raise
        else:
            for waiter in batch:
                if not waiter.done():  # a waiter cancelled meanwhile is done
                    waiter.set_result(reply)


def _settle(batch: list[asyncio.Future[Any]], exc: Exception) -> None:
    for waiter in batch:
        if not waiter.done():
            waiter.set_exception(exc)
