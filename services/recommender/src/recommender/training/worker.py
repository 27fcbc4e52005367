"""Process entry points ``recommender-worker`` and ``recommender-beat``."""

from __future__ import annotations

import soundstream_taskgraph
from recommender.config import get_settings
from recommender.training.celery_app import process_jobs
from recommender.training.first_model import train_at_start
from soundstream_common.logging import configure_logging
from soundstream_taskgraph.metrics import enable_worker_metrics


def run_worker() -> None:
    """A worker on the pipeline's queue (two processes: the training steps of one level run
    in parallel), with its task metrics served when a port and a token are set; when no model
    is published it starts a first training run once it is ready
    (:mod:`recommender.training.first_model`)."""
    settings = get_settings()
    configure_logging(
        service="recommender-worker",
        level=settings.log_level,
        json_logs=settings.log_json,
        log_dir=settings.log_dir,
        library_level=settings.library_log_level,
    )
    queue = settings.celery_queue
    if settings.worker_metrics_port is not None and settings.metrics_token is not None:
        enable_worker_metrics(
            host=settings.host,
            port=settings.worker_metrics_port,
            token=settings.metrics_token,
            broker_url=settings.broker_url,
            queues=[queue],
        )
    jobs = process_jobs()
    train_at_start(settings, jobs)
    jobs.celery.worker_main(["worker", "--loglevel=INFO", "-Q", queue, "--concurrency=2"])


def run_beat() -> None:
    """The scheduler that sends the nightly run, with the watchdog that records the tasks of
    a dead worker failed (beat's state file lives in the data dir)."""
    jobs = process_jobs()
    soundstream_taskgraph.run_beat(
        jobs.celery, jobs.history, get_settings().artifacts_dir / "celerybeat-schedule"
    )
