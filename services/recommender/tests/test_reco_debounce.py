"""The debounced retrain: ``listens.changed`` events counted from a real Redis stream; once
enough have come and none for the quiet period, a retrain starts through the same
single-flight lock as ``POST /models/retrain`` and a real worker runs it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from recommender.consumer import RecommenderConsumer, build_consumer
from recommender.debounce import RetrainDebouncer
from recommender.triggers import RetrainBusyError, start_retrain
from soundstream_common.db import create_db_engine

from .conftest import RESULT_TIMEOUT, Pipeline
from .events_helpers import consume, publish

CHANGE = {"artists": [{"artist_id": 1, "listeners": 3, "plays": 10}]}


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def debounced(
    pipeline: Pipeline, clock: Clock
) -> Iterator[tuple[RecommenderConsumer, RetrainDebouncer]]:
    settings = pipeline.settings.model_copy(
        update={"retrain_after_changes": 3, "retrain_quiet_seconds": 60.0}
    )
    debouncer = RetrainDebouncer(pipeline.store, pipeline.celery, settings, clock=clock)
    pipeline.store.client.delete(debouncer.key)
    engine = create_db_engine(settings.database_url)
    yield (
        build_consumer(
            settings, engine=engine, client=pipeline.store.client, debouncer=debouncer, block_ms=50
        ),
        debouncer,
    )
    engine.dispose()


def changes(pipeline: Pipeline, consumer: RecommenderConsumer, n: int) -> None:
    for _ in range(n):
        publish(pipeline.store.client, "listening", "listens.changed", CHANGE)
    consume(consumer, n)


def test_enough_changes_retrain_once_quiet_through_the_single_flight_lock(
    pipeline: Pipeline, debounced: tuple[RecommenderConsumer, RetrainDebouncer], clock: Clock
) -> None:
    consumer, debouncer = debounced

    changes(pipeline, consumer, 3)
    clock.now += 59
    assert debouncer.tick() is None, "not quiet for long enough yet"
    changes(pipeline, consumer, 1)  # a new change restarts the quiet period
    clock.now += 59
    assert debouncer.tick() is None
    assert pipeline.store.lock_owner() is None
    clock.now += 2
    run = debouncer.tick()

    assert run is not None
    assert pipeline.store.lock_owner() == run
    with pytest.raises(RetrainBusyError):
        start_retrain(pipeline.store, pipeline.celery, pipeline.settings, force=True)
    result = pipeline.celery.AsyncResult(run).get(timeout=RESULT_TIMEOUT)
    assert result["status"] == "published"
    assert pipeline.store.current_version() == result["version"]
    assert debouncer.pending()[0] == 0
    clock.now += 3600
    assert debouncer.tick() is None, "the counted changes were used up"


def test_too_few_changes_never_retrain(
    pipeline: Pipeline, debounced: tuple[RecommenderConsumer, RetrainDebouncer], clock: Clock
) -> None:
    consumer, debouncer = debounced

    changes(pipeline, consumer, 2)
    clock.now += 3600

    assert debouncer.tick() is None
    assert pipeline.store.lock_owner() is None
    assert debouncer.pending()[0] == 2


def test_a_due_retrain_waits_for_the_running_one(
    pipeline: Pipeline, debounced: tuple[RecommenderConsumer, RetrainDebouncer], clock: Clock
) -> None:
    consumer, debouncer = debounced
    running = start_retrain(pipeline.store, pipeline.celery, pipeline.settings, force=True)
    changes(pipeline, consumer, 3)
    clock.now += 61

    assert debouncer.tick() is None
    assert debouncer.pending()[0] == 3
    pipeline.celery.AsyncResult(running).get(timeout=RESULT_TIMEOUT)
    pipeline.server.version += 1
    later = debouncer.tick()

    assert later is not None
    assert later != running
    result = pipeline.celery.AsyncResult(later).get(timeout=RESULT_TIMEOUT)
    assert result["status"] == "published"
    assert result["previous"] == running
