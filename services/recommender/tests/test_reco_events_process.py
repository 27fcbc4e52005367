"""The real ``recommender-events`` process: it records deletions from both streams, and
events published while it is stopped are applied once it runs again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis
from sqlalchemy import select

from recommender.db import MIGRATIONS
from recommender.models import DeletedEntity
from soundstream_common.db import create_db_engine
from soundstream_testing import wait_until

from .conftest import REDIS_TEST_URL
from .events_helpers import publish

TIMEOUT = 30.0


@contextmanager
def events_process(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    command = Path(sys.executable).with_name("recommender-events")
    with log.open("a") as out:
        process = subprocess.Popen([str(command)], env=env, stdout=out, stderr=out)
        try:
            yield process
        finally:
            process.send_signal(signal.SIGTERM)
            code = process.wait(timeout=TIMEOUT)
    assert code == 0, log.read_text()


def test_deletions_are_recorded_also_when_published_while_stopped(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'recommender.db'}"
    engine = create_db_engine(database_url)
    MIGRATIONS.upgrade(engine)
    client = redis.Redis.from_url(REDIS_TEST_URL)
    client.flushdb()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("RECOMMENDER_")},
        "RECOMMENDER_DATABASE_URL": database_url,
        "RECOMMENDER_REDIS_URL": REDIS_TEST_URL,
        "RECOMMENDER_CELERY_BROKER_URL": REDIS_TEST_URL,
        "RECOMMENDER_KEY_PREFIX": "events-test",
        "RECOMMENDER_LOG_JSON": "false",
    }
    log = tmp_path / "events.log"

    def deleted() -> set[tuple[str, int]]:
        with engine.connect() as conn:
            rows = conn.execute(select(DeletedEntity.kind, DeletedEntity.entity_id))
            return {(kind, int(entity)) for kind, entity in rows}

    def wait_for(expected: set[tuple[str, int]], process: subprocess.Popen[bytes]) -> None:
        def recorded() -> bool:
            if deleted() == expected:
                return True
            assert process.poll() is None, log.read_text()
            return False

        wait_until(
            recorded,
            timeout=TIMEOUT,
            what=lambda: f"the deletions {expected} (recorded: {deleted()})\n{log.read_text()}",
        )

    try:
        with events_process(env, log) as process:
            publish(client, "catalog", "artist.deleted", {"artist_id": 42})
            publish(client, "listening", "user.deleted", {"user_id": 7})
            wait_for({("artist", 42), ("user", 7)}, process)

        publish(client, "catalog", "artist.deleted", {"artist_id": 43})
        assert ("artist", 43) not in deleted()

        with events_process(env, log) as process:
            wait_for({("artist", 42), ("user", 7), ("artist", 43)}, process)
    finally:
        engine.dispose()
        client.flushdb()
        client.close()
