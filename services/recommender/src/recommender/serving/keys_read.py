"""``MGET`` of a few fixed keys on connections of its own, without the client's per-command work.

The hot read's validation is one small command, sent very often. Through ``redis.asyncio``'s
client each call also takes a connection from the pool under a lock, runs the retry wrapper
and records observability metrics: measured here about 43 µs of CPU and 95 µs of wall time
per call, against 17 µs and 40 µs for writing the pre-packed command and parsing the reply
(hiredis) on a connection directly. :class:`KeysRead` keeps a few connections made by the
client's pool (same address, credentials, database and timeouts) and uses them one command
at a time. A connection the server closed is replaced straight away, once (a Redis
restart); any other failure is the caller's, as with the client.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import redis
import redis.asyncio as aioredis
from redis.asyncio.connection import AbstractConnection

SPARE_CONNECTIONS = 4


class KeysRead:
    """``await read()`` is ``await client.mget(*keys)``, cheaper."""

    def __init__(self, client: aioredis.Redis, keys: Sequence[str]) -> None:
        self._pool = client.connection_pool
        self._keys = tuple(keys)
        self._idle: list[AbstractConnection] = []
        self._packed: Any = None

    async def read(self) -> list[Any]:
        """The values of the keys (``None`` for a missing one)."""
        connection = self._idle.pop() if self._idle else self._new()
        try:
            reply = await self._round_trip(connection)
        except redis.ConnectionError:
            await connection.disconnect()  # closed by the server: one more try on a new one
            connection = self._new()
            try:
                reply = await self._round_trip(connection)
            except BaseException:
                await connection.disconnect()
                raise
        except BaseException:  # a reply may still be on its way: the connection is unusable
            await connection.disconnect()
            raise
        if len(self._idle) < SPARE_CONNECTIONS:
            self._idle.append(connection)
        else:
            await connection.disconnect()
        return list(reply)

    def _new(self) -> AbstractConnection:
        """A connection like the client's own (connected on first use)."""
        connection: AbstractConnection = self._pool.make_connection()  # type: ignore[no-untyped-call]
        return connection

    async def _round_trip(self, connection: AbstractConnection) -> Any:
        if self._packed is None:
            self._packed = connection.pack_command("MGET", *self._keys)
        await connection.send_packed_command(self._packed, check_health=False)
        return await connection.read_response()

    async def aclose(self) -> None:
        idle, self._idle = self._idle, []
        for connection in idle:
            await connection.disconnect()
