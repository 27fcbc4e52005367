"""The debounced retrain: after ``retrain_after_changes`` ``listens.changed`` events, once
none has come for ``retrain_quiet_seconds``, start a run of the training graph.

The count and the time of the last change live in Redis (``<prefix>:debounce``), so they
survive a restart of the consumer and several consumers share them. While a run of the graph
is active the count is kept and the retrain starts once that run has ended.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from loguru import logger

from recommender.config import Settings
from recommender.serving.store import ModelStore
from soundstream_taskgraph import BoundGraph, RunBusyError


class RetrainDebouncer:
    def __init__(
        self,
        store: ModelStore,
        training: BoundGraph,
        settings: Settings,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.training = training
        self.settings = settings
        self.clock = clock

    @property
    def key(self) -> str:
        return f"{self.store.prefix}:debounce"

    def record_change(self) -> None:
        """Count one ``listens.changed`` event, now."""
        pipe = self.store.client.pipeline(transaction=True)
        pipe.hincrby(self.key, "count", 1)
        pipe.hset(self.key, "last", repr(self.clock()))
        pipe.execute()

    def pending(self) -> tuple[int, float]:
        """Changes counted since the last debounced retrain, and when the last one came."""
        raw = self.store.client.hgetall(self.key)
        count = int(raw.get(b"count", 0))
        last = float(raw.get(b"last", 0.0))
        return count, last

    def tick(self) -> str | None:
        """Start a retrain when enough changes are pending and it has been quiet; returns the
        new run's id, or None."""
        threshold = self.settings.retrain_after_changes
        if threshold <= 0:
            return None
        count, last = self.pending()
        quiet = self.clock() - last
        if count < threshold or quiet < self.settings.retrain_quiet_seconds:
            return None
        try:
            run_id = self.training.start(trigger=f"events: {count} listening changes")
        except RunBusyError:
            return None
        self.store.client.hincrby(self.key, "count", -count)
        logger.info("{} listening changes, quiet for {:.0f} s: run {}", count, quiet, run_id)
        return run_id
