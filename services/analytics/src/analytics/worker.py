"""Process entry points ``analytics-worker`` and ``analytics-beat``."""

from __future__ import annotations

import soundstream_taskgraph
from analytics.celery_app import process_jobs
from analytics.config import get_settings


def run_worker() -> None:
    """A worker on the daily graph's queue (two processes: ``delta_views`` and ``quality``
    run in parallel)."""
    queue = get_settings().celery_queue
    process_jobs().celery.worker_main(["worker", "--loglevel=INFO", "-Q", queue, "--concurrency=2"])


def run_beat() -> None:
    """The scheduler that sends the daily run, with the watchdog of dead workers' tasks."""
    jobs = process_jobs()
    soundstream_taskgraph.run_beat(
        jobs.celery, jobs.history, get_settings().data_dir / "analytics-celerybeat-schedule"
    )
