"""The recommender's Celery application, built on first use from the process's settings.

``celery -A recommender.training.celery_app worker`` (or ``recommender-worker``) finds
``app`` here; nothing is read from the environment at import, so importing this module (a
health check, a test, a tool listing the tasks) never needs the settings. The app carries
the training graph's tasks (:mod:`recommender.training.jobs`, one declaration: each step's
Celery task ``recommender.training.<step>``, the beat entry of the nightly run and the
pictures all come from it): Redis is broker and result backend, JSON the only serialisation,
one task prefetched at a time, time limits on every task. Processes that were handed their
settings (the API, the event consumer, tests) build their own with
:func:`~recommender.training.jobs.create_jobs`.
"""

from __future__ import annotations

from functools import cache

from celery import Celery

from recommender.config import get_settings
from recommender.training.jobs import RecommenderJobs, create_jobs


@cache
def process_jobs() -> RecommenderJobs:
    """This process's app, graph and history, from its settings (read on the first call)."""
    return create_jobs(get_settings())


def __getattr__(name: str) -> Celery:
    if name == "app":
        return process_jobs().celery
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
