"""What the serving processes keep in memory, and what tells them to drop it.

Every API process keeps copies for the hot read (:mod:`recommender.serving.hot`): users'
precomputed lists under the current version, the deleted artists and users, each user's
hidden artists, and answers of the general path. The version pointer invalidates the first;
the exclusions stamp (``<prefix>:exclusions``) the others: whoever changes feedback or
records a deletion commits it first and then sets the stamp anew (:func:`bump_exclusions`),
so every process reloads its exclusions on its next request.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import redis

if TYPE_CHECKING:  # the state holds the hot read, which reads the keys named here
    from recommender.state import RecommenderState


def exclusions_key(prefix: str) -> str:
    return f"{prefix}:exclusions"


def bump_exclusions(client: redis.Redis, prefix: str) -> None:
    """Tell every serving process that feedback or deletions changed (after the commit).

    A random value rather than a counter: a value never seen before, even after Redis lost
    the key (a counter would start again from 1 and could equal a value a process holds)."""
    client.set(exclusions_key(prefix), uuid.uuid4().hex)


def exclusions_changed(state: RecommenderState) -> None:
    """After a committed change of feedback: this process at once, the others by the stamp."""
    state.hot.invalidate_exclusions()
    if state.redis is not None:
        prefix = state.settings.key_prefix
        state.redis.call(lambda client: bump_exclusions(client, prefix))
