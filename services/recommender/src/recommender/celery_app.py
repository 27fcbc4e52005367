"""The recommender's Celery application, configured from :class:`recommender.config.Settings`.

Redis is broker and result backend; JSON is the only serialisation; one task is prefetched at
a time (pipeline tasks are long); time limits bound every task. Start a worker with
``recommender-worker`` (or ``celery -A recommender.celery_app worker``) and the nightly
schedule with ``recommender-beat``.
"""

from __future__ import annotations

from celery import Celery
from celery.schedules import crontab

from recommender.config import Settings, get_settings


def create_celery(settings: Settings) -> Celery:
    """A Celery app for ``settings`` (tasks come from :mod:`recommender.tasks`)."""
    app = Celery("recommender", include=["recommender.tasks"])
    app.conf.update(
        broker_url=settings.broker_url,
        result_backend=settings.broker_url,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_accept_content=["json"],
        task_default_queue=settings.celery_queue,
        task_soft_time_limit=settings.task_soft_time_limit_seconds,
        task_time_limit=settings.task_time_limit_seconds,
        worker_prefetch_multiplier=1,
        task_acks_late=False,
        task_track_started=True,
        result_expires=7 * 86_400,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        timezone="UTC",
        beat_schedule={
            "nightly-retrain": {
                "task": "recommender.retrain",
                "schedule": crontab(hour=settings.retrain_hour, minute=settings.retrain_minute),
                "kwargs": {"force": False},
                "options": {"queue": settings.celery_queue},
            }
        },
    )
    return app


app = create_celery(get_settings())
