"""The analytics Celery application (``celery -A analytics.celery_app worker``), built on
first use from the process's settings; it carries the daily graph's tasks."""

from __future__ import annotations

from functools import cache

from celery import Celery

from analytics.config import get_settings
from analytics.jobs import AnalyticsJobs, create_jobs


@cache
def process_jobs() -> AnalyticsJobs:
    return create_jobs(get_settings())


def __getattr__(name: str) -> Celery:
    if name == "app":
        return process_jobs().celery
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
