"""A model from the first minute: the worker starts a training run at start-up when no model
is published, so a fresh stack (``make dev``, ``docker compose up``) does not wait for the
nightly run or for someone to call ``POST /models/retrain``.

The run is an ordinary, unforced run of the training graph (trigger ``start-up``), started
from a thread once the worker consumes its queue, so the worker's start is not held up. The
thread first waits until the listening service has listens (a stack started before its data
is imported trains once the import is in, not on an empty data set). Until the model
publishes, answers say so (``source`` is ``popularity-no-model``). A start-up run that
fails (its worker lost under load, say) is started again, a few times. When a run is
already active (another worker started one), nothing more is started.
"""

from __future__ import annotations

import threading
from typing import Any

import httpx
from loguru import logger
from sqlalchemy import select
from sqlalchemy.orm import Session

from recommender.config import Settings
from recommender.models import ModelVersion
from recommender.training.jobs import RecommenderJobs
from soundstream_common.service_token import service_headers
from soundstream_taskgraph import RunBusyError
from soundstream_taskgraph.queries import get_run

TRIGGER = "start-up"


POLL_SECONDS = 10.0
"""How often the start-up thread checks for data, and for the end of its run."""
ATTEMPTS = 3
"""Runs the start-up thread starts at most while none publishes."""


def model_published(jobs: RecommenderJobs) -> bool:
    with Session(jobs.history().engine) as session:
        found = session.scalars(select(ModelVersion.version).where(ModelVersion.current))
        return found.first() is not None


def listens_exist(settings: Settings) -> bool:
    """Whether the listening service answers with at least one listened artist."""
    try:
        response = httpx.get(
            settings.listening_url.rstrip("/") + "/stats/artists/top",
            params={"limit": 1},
            headers=service_headers(settings.service_token_value()),
            timeout=settings.upstream_timeout_seconds,
        )
        return response.status_code == 200 and bool(response.json()["items"])
    except (httpx.HTTPError, ValueError, KeyError):
        return False


def start_first_model(jobs: RecommenderJobs) -> str | None:
    """Start a run of the training graph when no model is published and none is running;
    returns its id (``None``: a model is published, or a run is already active)."""
    if model_published(jobs):
        return None
    try:
        run_id = jobs.training.start(force=False, trigger=TRIGGER)
    except RunBusyError:
        return None
    logger.info("no model is published yet: first training run {} started", run_id)
    return run_id


def first_model_once_data(
    settings: Settings,
    jobs: RecommenderJobs,
    *,
    stop: threading.Event | None = None,
    poll_seconds: float = POLL_SECONDS,
    attempts: int = ATTEMPTS,
) -> str | None:
    """:func:`start_first_model` as soon as the listening service has listens, and again
    when that run fails (a worker lost under load, the listening service down meanwhile),
    at most ``attempts`` runs; gives up as soon as a model is published (by this run or any
    other) or ``stop`` is set. Returns the id of the last run it started."""
    stop = stop or threading.Event()
    started: str | None = None
    while attempts > 0 and not model_published(jobs):
        if started is not None and _active(jobs, started):
            pass  # wait for it
        elif listens_exist(settings):
            run_id = start_first_model(jobs)
            if run_id is not None:
                started, attempts = run_id, attempts - 1
        if stop.wait(poll_seconds):
            break
    return started


def _active(jobs: RecommenderJobs, run_id: str) -> bool:
    return get_run(jobs.history(), run_id).state in ("queued", "running")


def train_at_start(settings: Settings, jobs: RecommenderJobs) -> None:
    """Connect :func:`start_first_model` to the worker's ``worker_ready`` signal (when
    ``TRAIN_AT_START`` is on); it runs in a thread of its own."""
    if not settings.train_at_start:
        return
    from celery.signals import worker_ready

    def started(**_kwargs: Any) -> None:
        def run() -> None:
            try:
                first_model_once_data(settings, jobs)
            except Exception as exc:  # the nightly run and POST /models/retrain remain
                logger.warning("could not start the first training run: {}", exc)

        threading.Thread(target=run, name="first-model", daemon=True).start()

    worker_ready.connect(started, weak=False)
