"""The real ``catalog-events`` process: it applies events, and events published while it is
stopped are applied once it is started again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy import Engine, func, select

from catalog.models import ArtistPopularity, TagAssignment, UserRef
from soundstream_common.events import Event, stream_for
from soundstream_testing import wait_until

STARTUP_TIMEOUT = 30.0


def applied(
    condition: Callable[[], bool], process: subprocess.Popen[bytes], log: Path, what: str
) -> None:
    """Wait until ``condition`` holds (the process works asynchronously), failing at once if
    the process exits."""

    def holds() -> bool:
        if process.poll() is not None:
            pytest.fail(f"catalog-events exited ({process.returncode}):\n{log.read_text()}")
        return condition()

    wait_until(holds, timeout=STARTUP_TIMEOUT, what=lambda: f"{what}; log:\n{log.read_text()}")


@contextmanager
def consumer_process(
    database_url: str, redis_url: str, log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """``catalog-events`` running against the given database and Redis until the block ends
    (then SIGTERM, and a clean exit is required)."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CATALOG_")},
        "CATALOG_DATABASE_URL": database_url,
        "CATALOG_REDIS_URL": redis_url,
        "CATALOG_LOG_JSON": "false",
    }
    command = Path(sys.executable).with_name("catalog-events")
    with log.open("a") as out:
        process = subprocess.Popen([str(command)], env=env, stdout=out, stderr=out)
        try:
            yield process
        finally:
            process.send_signal(signal.SIGTERM)
            code = process.wait(timeout=STARTUP_TIMEOUT)
    assert code == 0, log.read_text()


def users(engine: Engine, *ids: int) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).where(UserRef.id.in_(ids))).scalar_one())


def plays(engine: Engine, artist_id: int) -> int | None:
    with engine.connect() as conn:
        value = conn.execute(
            select(ArtistPopularity.plays).where(ArtistPopularity.artist_id == artist_id)
        ).scalar_one_or_none()
    return None if value is None else int(value)


def test_consumer_process_catches_up_after_restart(
    seeded_url: str, redis_url: str, engine: Engine, tmp_path: Path
) -> None:
    client: Any = redis.Redis.from_url(redis_url)
    stream = stream_for("listening")

    def publish(event_type: str, payload: dict[str, Any]) -> None:
        event = Event(type=event_type, payload=payload, producer="listening")
        client.xadd(stream, event.to_fields())

    log = tmp_path / "catalog-events.log"
    with consumer_process(seeded_url, redis_url, log) as process:
        publish("user.created", {"user_id": 900})
        applied(lambda: users(engine, 900) == 1, process, log, "user 900 to be added")

    # Stopped: these wait in the stream.
    publish("user.created", {"user_id": 901})
    publish("user.deleted", {"user_id": 1})
    publish("listens.changed", {"artists": [{"artist_id": 7, "listeners": 3, "plays": 70}]})
    assert users(engine, 901) == 0
    assert users(engine, 1) == 1
    assert plays(engine, 7) is None

    with consumer_process(seeded_url, redis_url, log) as process:
        applied(lambda: plays(engine, 7) == 70, process, log, "the stopped events to be applied")
        assert users(engine, 901) == 1
        assert users(engine, 1) == 0
    with engine.connect() as conn:
        left = conn.execute(select(func.count()).where(TagAssignment.user_id == 1)).scalar_one()
    assert left == 0
    assert client.xpending(stream, "catalog")["pending"] == 0
    client.close()


def test_without_redis_the_consumer_idles_until_stopped(seeded_url: str, tmp_path: Path) -> None:
    """Redis disabled means events disabled: the process stays up (a stack keeps running)
    and stops cleanly."""
    log = tmp_path / "catalog-events.log"
    with consumer_process(seeded_url, "", log) as process:
        applied(lambda: "events are disabled" in log.read_text(), process, log, "the idle message")
        assert process.poll() is None
