"""The data set's version (the write lock and the export's ETag) and the streamed snapshot.

Every write transaction starts with :func:`lock_dataset`, an ``UPDATE`` of the single
``dataset_version`` row that changes nothing: on PostgreSQL it takes that row's lock, on SQLite
it starts the write transaction. Writers are thereby serialised, so what a transaction reads
after the lock is the committed state (the absolute popularity in ``listens.changed`` is never
stale), events are recorded in commit order, and versions follow commits one to one.
:func:`bump_dataset_version` then advances the counter in the same transaction.
"""

from __future__ import annotations

from collections.abc import Generator

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from listening.models import DatasetVersion, Friendship, Listen
from soundstream_common.exports import ConsistentRead, advance_version, json_line, read_version
from soundstream_common.versions import VersionInfo

SNAPSHOT_FORMAT = 1
LISTEN_COLUMNS = ["user_id", "artist_id", "weight"]
FRIENDSHIP_COLUMNS = ["user_id", "friend_id"]


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
    advance_version(session, DatasetVersion)


def current_version(session: Session) -> VersionInfo:
    """The committed version of the data set."""
    return read_version(session, DatasetVersion)


class Snapshot(ConsistentRead):
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
        super().__init__(
            engine,
            lambda conn: read_version(conn, DatasetVersion),
            cursor_name="listening_snapshot",
        )

    def lines(self) -> Generator[bytes, None, None]:
        """The NDJSON body, chunk by chunk; closes the snapshot when exhausted or closed."""
        try:
            yield json_line(
                type="snapshot",
                format=SNAPSHOT_FORMAT,
                dataset_version=self.version.version,
                etag=self.version.etag,
            )
            yield json_line(type="section", name="listens", columns=LISTEN_COLUMNS)
            listens = 0
            for rows in self.chunks(select(Listen.user_id, Listen.artist_id, Listen.weight)):
                listens += len(rows)
                yield "".join(f"[{u},{a},{w}]\n" for u, a, w in rows).encode()
            yield json_line(type="section", name="friendships", columns=FRIENDSHIP_COLUMNS)
            friendships = 0
            for rows in self.chunks(select(Friendship.user_id, Friendship.friend_id)):
                friendships += len(rows)
                yield "".join(f"[{u},{f}]\n" for u, f in rows).encode()
            yield json_line(type="end", listens=listens, friendships=friendships)
        finally:
            self.close()
