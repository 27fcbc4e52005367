"""The debounced retrain: ``listens.changed`` events counted from a real Redis stream; once
enough have come and none for the quiet period, a run of the training graph starts (one
active run at a time, as for ``POST /models/retrain``) and a real worker runs it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from recommender.consumer import RecommenderConsumer, build_consumer
from recommender.debounce import RetrainDebouncer
from soundstream_common.db import create_db_engine
from soundstream_taskgraph import RunBusyError

from .conftest import RESULT_TIMEOUT, Pipeline, published
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
    debouncer = RetrainDebouncer(pipeline.store, pipeline.jobs.training, settings, clock=clock)
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


def test_enough_changes_retrain_once_quiet_one_run_at_a_time(
    pipeline: Pipeline, debounced: tuple[RecommenderConsumer, RetrainDebouncer], clock: Clock
) -> None:
    consumer, debouncer = debounced

    changes(pipeline, consumer, 3)
    clock.now += 59
    assert debouncer.tick() is None, "not quiet for long enough yet"
    changes(pipeline, consumer, 1)  # a new change restarts the quiet period
    clock.now += 59
    assert debouncer.tick() is None
    assert pipeline.jobs.history().active_run("recommender.training") is None
    clock.now += 2
    run = debouncer.tick()

    assert run is not None
    assert pipeline.jobs.history().active_run("recommender.training") == run
    assert pipeline.run(run).trigger == "events: 4 listening changes"
    with pytest.raises(RunBusyError):
        pipeline.retrain(force=True)
    result = published(pipeline.celery.AsyncResult(run).get(timeout=RESULT_TIMEOUT))
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
    assert pipeline.jobs.history().active_run("recommender.training") is None
    assert debouncer.pending()[0] == 2


def test_a_due_retrain_waits_for_the_running_one(
    pipeline: Pipeline, debounced: tuple[RecommenderConsumer, RetrainDebouncer], clock: Clock
) -> None:
    consumer, debouncer = debounced
    running = pipeline.retrain(force=True).id
    changes(pipeline, consumer, 3)
    clock.now += 61

    assert debouncer.tick() is None
    assert debouncer.pending()[0] == 3
    pipeline.celery.AsyncResult(running).get(timeout=RESULT_TIMEOUT)
    pipeline.server.version += 1
    later = debouncer.tick()

    assert later is not None
    assert later != running
    result = published(pipeline.celery.AsyncResult(later).get(timeout=RESULT_TIMEOUT))
    assert result["status"] == "published"
    assert result["previous"] == running
