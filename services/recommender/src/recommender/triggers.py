"""Starting a retrain: the one path shared by ``POST /models/retrain`` and the debounced
retrain of the event consumer, both behind the single-flight lock."""

from __future__ import annotations

import uuid

from celery import Celery

from recommender.config import Settings
from recommender.store import ModelStore

RETRAIN_TASK = "recommender.retrain"


class RetrainBusyError(RuntimeError):
    """Another run holds the single-flight lock."""

    def __init__(self, running: str | None) -> None:
        super().__init__(f"a retrain is already running ({running})")
        self.running = running


def start_retrain(store: ModelStore, celery: Celery, settings: Settings, *, force: bool) -> str:
    """Take the lock for a new run id, queue ``recommender.retrain`` under that id and return
    it. Raises :class:`RetrainBusyError` while another run holds the lock; a failure to queue
    frees the lock again and propagates."""
    task_id = uuid.uuid4().hex
    if not store.acquire_lock(task_id, settings.lock_ttl_seconds):
        raise RetrainBusyError(store.lock_owner())
    try:
        celery.send_task(
            RETRAIN_TASK, kwargs={"force": force}, task_id=task_id, queue=settings.celery_queue
        )
    except Exception:
        store.release_lock(task_id)
        raise
    return task_id
