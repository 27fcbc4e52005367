"""Where a request's synchronous database read runs: on the event loop or in the thread pool.

A point read (a few rows through an index, well under a millisecond) on a local SQLite file
involves no network round trip, and in WAL mode a reader never waits for a writer: running
it on the event loop is cheaper than the thread-pool hop and the GIL hand-offs between
dozens of pool threads. Anything else — longer reads, or PostgreSQL, where a read waits on
the network — runs in the thread pool so the loop stays free.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import anyio.to_thread
from fastapi import Request, Response
from sqlalchemy import Engine

from soundstream_common.cache import ResponseCache

T = TypeVar("T")


def point_reads_inline(engine: Engine) -> bool:
    """Whether point reads on ``engine`` run on the event loop (SQLite)."""
    return engine.dialect.name == "sqlite"


async def run_read(engine: Engine, read: Callable[[], T], *, point_read: bool) -> T:
    """``read()``, on the event loop for a point read on SQLite, else in the thread pool."""
    if point_read and point_reads_inline(engine):
        return read()
    return await anyio.to_thread.run_sync(read)


async def cached_bytes(
    request: Request,
    group: str,
    key: str,
    compute: Callable[[], bytes],
    *,
    point_read: bool = False,
) -> Response:
    """JSON bytes from ``group`` of the app's response cache, or ``compute()``'s (then stored).

    The cache is read on the event loop (a hit takes no thread); on a miss ``compute`` runs
    as :func:`run_read` decides (``point_read``: a few indexed rows).
    """
    cache: ResponseCache = request.app.state.cache
    engine: Engine = request.app.state.engine

    async def read() -> bytes:
        return await run_read(engine, compute, point_read=point_read)

    body = await cache.get_or_compute_async(group, key, read)
    return Response(content=body, media_type="application/json")
