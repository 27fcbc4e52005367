"""The local stack's Redis: the configured server, else redis-server, else the embedded one —
and never none. Real servers and a real Celery worker process, no stand-ins."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import redis
from celery import Celery

from soundstream_admin.children import Output
from soundstream_admin.local_redis import (
    RedisUnavailableError,
    free_port,
    provide_redis,
    redis_answers,
)
from soundstream_admin.runner import StackRunner
from soundstream_admin.stack import find_stack_file, load_stack

REDIS_SERVER = shutil.which("redis-server")


def closed_url() -> str:
    return f"redis://127.0.0.1:{free_port()}/0"


def test_a_redis_that_answers_is_used_as_it_is(redis_url: str, tmp_path: Path) -> None:
    stack_redis = provide_redis(redis_url, tmp_path)

    assert (stack_redis.url, stack_redis.source) == (redis_url, "REDIS_URL")
    stack_redis.stop()  # not ours to stop: it keeps answering
    assert redis_answers(redis_url)


@pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed here")
def test_nothing_answering_starts_a_redis_server_that_stops_with_the_stack(
    tmp_path: Path,
) -> None:
    stack_redis = provide_redis(closed_url(), tmp_path / "redis")
    try:
        assert stack_redis.source == "redis-server"
        assert "started" in stack_redis.description
        client = redis.Redis.from_url(stack_redis.url)
        client.set("greeting", "hello")
        assert client.get("greeting") == b"hello"
        client.close()
    finally:
        stack_redis.stop()

    assert not redis_answers(stack_redis.url)


def test_without_redis_server_the_embedded_server_is_used_and_said_plainly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no redis-server on PATH
    stack_redis = provide_redis(closed_url(), tmp_path / "redis")
    try:
        assert stack_redis.source == "embedded"
        assert "embedded Redis-protocol server" in stack_redis.description
        assert "lost when the stack stops" in stack_redis.description
        client = redis.Redis.from_url(stack_redis.url)
        client.xadd("events", {"type": "artist.created"})
        assert client.xlen("events") == 1
        client.close()
    finally:
        stack_redis.stop()

    assert not redis_answers(stack_redis.url)


def test_without_redis_server_or_fakeredis_the_error_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no redis-server on PATH
    monkeypatch.setitem(sys.modules, "fakeredis", None)  # the extra is not installed
    url = closed_url()

    with pytest.raises(RedisUnavailableError) as raised:
        provide_redis(url, tmp_path / "redis")

    assert f"nothing answers at {url}" in str(raised.value)
    assert 'pip install "soundstream-admin[embedded-redis]"' in str(raised.value)


def test_runner_gives_every_redis_service_the_stack_redis_and_says_which(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    specs = load_stack(find_stack_file())
    for spec in specs:
        monkeypatch.delenv(f"{spec.env_prefix}REDIS_URL", raising=False)
    monkeypatch.setenv("REDIS_URL", closed_url())
    monkeypatch.setenv("PATH", str(tmp_path))
    runner = StackRunner(specs, tmp_path / "data")

    stack_redis = runner.start_redis(Output(width=3))
    try:
        assert stack_redis is not None
        printed = capsys.readouterr().out
        assert "Redis: nothing answers at" in printed
        assert "embedded Redis-protocol server" in printed
        env = runner.base_env()
        for spec in specs:
            if spec.redis:
                assert env[f"{spec.env_prefix}REDIS_URL"] == stack_redis.url
    finally:
        if stack_redis is not None:
            stack_redis.stop()


def test_runner_refuses_a_configured_redis_that_does_not_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from soundstream_admin.stack import StackError

    specs = load_stack(find_stack_file())
    monkeypatch.setenv("CATALOG_REDIS_URL", closed_url())
    runner = StackRunner(specs, tmp_path / "data")

    with pytest.raises(StackError, match=r"CATALOG_REDIS_URL=.* no Redis server answers"):
        runner.start_redis(Output(width=3))


CELERY_MODULE = textwrap.dedent(
    """
    import os
    from celery import Celery

    app = Celery("embedded_check", broker=os.environ["BROKER"], backend=os.environ["BROKER"])
    app.conf.update(task_default_queue="embedded-check", worker_prefetch_multiplier=1)

    @app.task(name="embedded_check.add")
    def add(a, b):
        return a + b
    """
)


def test_a_real_celery_worker_runs_tasks_through_the_embedded_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    stack_redis = provide_redis(closed_url(), tmp_path / "redis")
    assert stack_redis.source == "embedded"
    (tmp_path / "embedded_check.py").write_text(CELERY_MODULE)
    broker = stack_redis.url.rsplit("/", 1)[0] + "/1"
    env = {**os.environ, "BROKER": broker, "PYTHONPATH": str(tmp_path)}
    log = tmp_path / "worker.log"
    app = Celery("embedded_check", broker=broker, backend=broker)
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "embedded_check", "worker", "-Q",
             "embedded-check", "--concurrency=1", "--pool=solo", "--without-gossip",
             "--without-mingle", "--loglevel=INFO"],
            env=env, cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        results = [
            app.send_task("embedded_check.add", args=(n, n), queue="embedded-check")
            for n in range(5)
        ]

        assert [r.get(timeout=60) for r in results] == [0, 2, 4, 6, 8]
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        app.close()
        stack_redis.stop()
