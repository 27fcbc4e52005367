"""The house Celery configuration, the reaper's watchdog thread and the beat entry point.

:func:`configure_celery`: JSON only, one task prefetched at a time (graph tasks are long),
time limits on every task, UTC, late acknowledgement off by default (each idempotent task
turns it on for itself), task events on so monitors see every task. Every service that
schedules work builds its app with it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from celery import Celery
from loguru import logger
from sqlalchemy.exc import SQLAlchemyError

from soundstream_taskgraph.history import RunHistory
from soundstream_taskgraph.metrics import carry_request_id
from soundstream_taskgraph.runtime import BoundGraph


def configure_celery(
    app: Celery,
    *,
    broker_url: str,
    queue: str,
    soft_time_limit: float,
    time_limit: float,
) -> None:
    """Apply the shared settings to ``app`` (Redis as broker and result backend); tasks sent
    while a request is handled carry its id (:mod:`soundstream_taskgraph.metrics`)."""
    carry_request_id()
    app.conf.update(
        broker_url=broker_url,
        result_backend=broker_url,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_accept_content=["json"],
        task_default_queue=queue,
        task_soft_time_limit=soft_time_limit,
        task_time_limit=time_limit,
        worker_prefetch_multiplier=1,
        task_acks_late=False,
        task_track_started=True,
        worker_send_task_events=True,
        task_send_sent_event=True,
        result_expires=7 * 86_400,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        timezone="UTC",
        enable_utc=True,
    )


def install_beat_schedule(app: Celery, graphs: Iterable[BoundGraph]) -> None:
    """Beat entries of every graph, from their declarations."""
    schedule: dict[str, object] = {}
    for bound in graphs:
        schedule.update(bound.beat_schedule())
    app.conf.beat_schedule = schedule


def start_watchdog(history: Callable[[], RunHistory]) -> Callable[[], None]:
    """Reap lost tasks and stalled runs every heartbeat interval in a daemon thread (run it
    in the one beat process, so a worker's death is recorded even when nobody looks);
    returns a function that stops it."""
    stop = threading.Event()
    interval = history().liveness.heartbeat.total_seconds()

    def watch() -> None:
        while not stop.wait(interval):
            try:
                failed = history().reap()
            except SQLAlchemyError as exc:
                logger.warning("run history unavailable to the watchdog: {}", exc)
                continue
            for run_id in failed:
                logger.warning("run {} failed: a task's worker was lost or it stalled", run_id)

    thread = threading.Thread(target=watch, name="taskgraph-watchdog", daemon=True)
    thread.start()

    def stop_watchdog() -> None:
        stop.set()
        thread.join()

    return stop_watchdog


def run_beat(app: Celery, history: Callable[[], RunHistory], schedule_file: Path) -> None:
    """Celery beat with the watchdog beside it (``schedule_file`` keeps beat's state)."""
    schedule_file.parent.mkdir(parents=True, exist_ok=True)
    stop = start_watchdog(history)
    try:
        app.start(["beat", "--loglevel=INFO", f"--schedule={schedule_file}"])
    finally:
        stop()
