"""Process entry points ``recommender-worker`` and ``recommender-beat``."""

from __future__ import annotations

from recommender.celery_app import app
from recommender.config import get_settings


def run_worker() -> None:
    """A worker on the pipeline's queue (two processes: trainings run in parallel)."""
    queue = get_settings().celery_queue
    app.worker_main(["worker", "--loglevel=INFO", "-Q", queue, "--concurrency=2"])


def run_beat() -> None:
    """The scheduler that sends the nightly retrain (its state file lives in the data dir)."""
    schedule = get_settings().artifacts_dir / "celerybeat-schedule"
    schedule.parent.mkdir(parents=True, exist_ok=True)
    app.start(["beat", "--loglevel=INFO", f"--schedule={schedule}"])
