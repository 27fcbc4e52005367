"""Users whose listens changed since the published model was trained (from events).

The event consumer records each ``listens.changed`` of a user in the sorted set
``<prefix>:listens-changed`` (user -> the time the change was seen) and then sets
``<prefix>:listens-stamp`` to a fresh value, so every serving process reloads the set on its
next request (the hot path reads the stamp with the model pointer in one ``MGET``). Such a
user is answered by folding their current listens into the published models
(:mod:`recommender.foldin`) instead of from the precomputed list.

A change is seen after it was committed, so a change seen before a snapshot was taken is in
that snapshot: publishing a version forgets the changes seen before its snapshot started. A
change seen later (even one the snapshot caught) keeps the user folded in until the next
version: the same answer, computed at request time.
"""

from __future__ import annotations

import time
import uuid

import redis


def changed_key(prefix: str) -> str:
    return f"{prefix}:listens-changed"


def changes_stamp_key(prefix: str) -> str:
    return f"{prefix}:listens-stamp"


def mark_changed(
    client: redis.Redis, prefix: str, user_id: int, *, at: float | None = None
) -> None:
    """Record that ``user_id``'s listens changed (now), then tell the serving processes."""
    client.zadd(changed_key(prefix), {str(user_id): time.time() if at is None else at})
    client.set(changes_stamp_key(prefix), uuid.uuid4().hex)


def changed_users(client: redis.Redis, prefix: str) -> dict[int, float]:
    """Every user recorded as changed, with the time the last change was seen."""
    pairs: list[tuple[bytes, float]] = client.zrange(  # type: ignore[assignment]
        changed_key(prefix), 0, -1, withscores=True
    )
    return {int(member): float(score) for member, score in pairs}


def is_changed(client: redis.Redis, prefix: str, user_id: int) -> bool:
    return client.zscore(changed_key(prefix), str(user_id)) is not None


def forget_before(client: redis.Redis, prefix: str, before: float) -> None:
    """Forget the changes seen before ``before`` (a published snapshot's start)."""
    client.zremrangebyscore(changed_key(prefix), "-inf", f"({before}")
    client.set(changes_stamp_key(prefix), uuid.uuid4().hex)
