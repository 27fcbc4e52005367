"""The data set's version (the write lock and the export's ETag) and the streamed snapshot.

Every write transaction starts with :func:`lock_dataset`, an ``UPDATE`` of the single
``dataset_version`` row that changes nothing: on PostgreSQL it takes that row's lock, on SQLite
it starts the write transaction. Writers are thereby serialised, so what a transaction reads
after the lock is the committed state (the absolute popularity in ``listens.changed`` is never
stale), events are recorded in commit order, and versions follow commits one to one.
:func:`bump_dataset_version` then advances the counter in the same transaction.
"""

from __future__ import annotations

import json
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ClauseElement, Connection, Engine, select, update
from sqlalchemy.orm import Session

from listening.models import DatasetVersion, Friendship, Listen
from listening.service.sql import driver_cursor

SNAPSHOT_FORMAT = 1
CHUNK_ROWS = 10_000
LISTEN_COLUMNS = ["user_id", "artist_id", "weight"]
FRIENDSHIP_COLUMNS = ["user_id", "friend_id"]


@dataclass(frozen=True)
class VersionInfo:
    epoch: str
    version: int

    @property
    def etag(self) -> str:
        """A strong ETag: the database's epoch and the version counter."""
        return f'"{self.epoch[:16]}-{self.version}"'


def lock_dataset(session: Session) -> None:
    """Take the data set's write lock for the rest of the transaction."""
    session.execute(
        update(DatasetVersion)
        .where(DatasetVersion.id == 1)
        .values(version=DatasetVersion.version)
        .execution_options(synchronize_session=False)
    )


def bump_dataset_version(session: Session) -> None:
    """Advance the version in the caller's transaction (call once per committed change)."""
    session.execute(
        update(DatasetVersion)
        .where(DatasetVersion.id == 1)
        .values(version=DatasetVersion.version + 1)
        .execution_options(synchronize_session=False)
    )


def _read_version(conn: Connection | Session) -> VersionInfo:
    row = conn.execute(
        select(DatasetVersion.epoch, DatasetVersion.version).where(DatasetVersion.id == 1)
    ).one()
    return VersionInfo(epoch=row.epoch, version=int(row.version))


def current_version(session: Session) -> VersionInfo:
    """The committed version of the data set."""
    return _read_version(session)


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``etag`` (weak comparison, ``*`` matches)."""
    if not if_none_match:
        return False
    for candidate in if_none_match.split(","):
        tag = candidate.strip()
        if tag == "*" or tag.removeprefix("W/") == etag:
            return True
    return False


class Snapshot:
    """A consistent read of the whole data set on one connection, streamed as NDJSON sections.

    Lines (each one JSON value):

    - ``{"type":"snapshot","format":1,"dataset_version":42,"etag":"..."}``
    - ``{"type":"section","name":"listens","columns":["user_id","artist_id","weight"]}``, then
      one array per listen, e.g. ``[2,51,13883]``
    - ``{"type":"section","name":"friendships","columns":["user_id","friend_id"]}``, then one
      array per stored direction (every friendship appears twice)
    - ``{"type":"end","listens":92834,"friendships":25434}``: without it, the stream was cut.

    Rows come in no particular order, straight from a driver cursor (server-side on
    PostgreSQL) in chunks; nothing is materialised.
    """

    def __init__(self, engine: Engine) -> None:
        self._conn = engine.connect()
        try:
            if engine.dialect.name == "postgresql":
                self._conn = self._conn.execution_options(
                    isolation_level="REPEATABLE READ", postgresql_readonly=True
                )
            else:
                # pysqlite only begins before DML; an explicit BEGIN holds one WAL snapshot.
                self._conn.exec_driver_sql("BEGIN")
            self.version = _read_version(self._conn)
        except BaseException:
            self._conn.close()
            raise

    def close(self) -> None:
        """End the read transaction and return the connection (safe to call twice)."""
        if not self._conn.closed:
            self._conn.close()  # the pool's reset rolls the read transaction back

    def _chunks(self, statement: ClauseElement) -> Iterator[list[Any]]:
        """The statement's rows as driver tuples, ``CHUNK_ROWS`` at a time."""
        sql = str(statement.compile(dialect=self._conn.dialect))
        cursor = driver_cursor(self._conn, server_side_name="listening_snapshot")
        try:
            cursor.execute(sql)
            while rows := cursor.fetchmany(CHUNK_ROWS):
                yield rows
        finally:
            cursor.close()

    def lines(self) -> Generator[bytes, None, None]:
        """The NDJSON body, chunk by chunk; closes the snapshot when exhausted or closed."""
        try:
            yield _json_line(
                type="snapshot",
                format=SNAPSHOT_FORMAT,
                dataset_version=self.version.version,
                etag=self.version.etag,
            )
            yield _json_line(type="section", name="listens", columns=LISTEN_COLUMNS)
            listens = 0
            for rows in self._chunks(select(Listen.user_id, Listen.artist_id, Listen.weight)):
                listens += len(rows)
                yield "".join(f"[{u},{a},{w}]\n" for u, a, w in rows).encode()
            yield _json_line(type="section", name="friendships", columns=FRIENDSHIP_COLUMNS)
            friendships = 0
            for rows in self._chunks(select(Friendship.user_id, Friendship.friend_id)):
                friendships += len(rows)
                yield "".join(f"[{u},{f}]\n" for u, f in rows).encode()
            yield _json_line(type="end", listens=listens, friendships=friendships)
        finally:
            self.close()


def _json_line(**fields: Any) -> bytes:
    return (json.dumps(fields, separators=(",", ":")) + "\n").encode()
