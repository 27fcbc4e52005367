"""Fixtures for the task graph tests: the toy graphs on a real Celery worker process, a real
Redis (broker, results, coordination) and a SQLite history shared by the worker and the test."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import redis
from celery import Celery

from soundstream_common.db import create_db_engine
from soundstream_taskgraph import BoundGraph, RunHistory, RunRead, RunState
from soundstream_taskgraph.queries import get_run
from soundstream_testing import wait_until

from . import taskgraph_toy as toy

TESTS_DIR = Path(__file__).resolve().parent
DEADLINE_SECONDS = 120.0


@dataclass
class ToyStack:
    """The toy graphs' environment: what the worker and the test share."""

    env: dict[str, str]
    tmp: Path
    redis: redis.Redis

    @property
    def celery(self) -> Celery:
        return toy.bound()[0]

    @property
    def graphs(self) -> dict[str, BoundGraph]:
        return toy.bound()[1]

    @property
    def history(self) -> RunHistory:
        return toy.history()

    def key(self, name: str) -> str:
        return f"{self.env['TOY_PREFIX']}:{name}"

    def start(self, graph: str, **options: Any) -> str:
        return self.graphs[graph].start(**options)

    def finished(self, run_id: str) -> RunRead:
        """Poll the history (which reaps) until the run is over."""

        def over() -> RunRead | None:
            run = get_run(self.history, run_id)
            return run if run.state in (RunState.SUCCEEDED, RunState.FAILED) else None

        return wait_until(over, timeout=DEADLINE_SECONDS, what=f"run {run_id} to finish")

    @contextmanager
    def worker(
        self, module_dir: Path = TESTS_DIR, env: dict[str, str] | None = None
    ) -> Iterator[subprocess.Popen[bytes]]:
        """A real ``celery worker`` (two processes) on the toy queue, importing
        ``taskgraph_toy`` from ``module_dir``, in its own process group (``env``: more
        environment for the worker only)."""
        log = self.tmp / "worker.log"
        with log.open("ab") as out:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "taskgraph_toy",
                    "worker",
                    "-Q",
                    self.env["TOY_QUEUE"],
                    "--concurrency=2",
                    "--without-gossip",
                    "--without-mingle",
                    "--loglevel=INFO",
                    f"--hostname=toy-{uuid.uuid4().hex[:6]}@%h",
                ],
                env={**os.environ, **self.env, **(env or {}), "PYTHONPATH": str(module_dir)},
                cwd=module_dir,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:

            def answering() -> bool:
                if process.poll() is not None:
                    pytest.fail(f"the worker exited: {log.read_text()[-3000:]}")
                return bool(self.celery.control.ping(timeout=0.5))

            wait_until(
                answering,
                timeout=60,
                what=lambda: f"the worker to start: {log.read_text()[-3000:]}",
            )
            yield process
        finally:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()


@pytest.fixture
def toy_stack(redis_server_url: str, database_url: str, tmp_path: Path) -> Iterator[ToyStack]:
    """A fresh history database (SQLite and PostgreSQL), queue and key prefix for one test."""
    name = f"toy-{uuid.uuid4().hex[:8]}"
    env = {
        "TOY_REDIS_URL": redis_server_url,
        "TOY_DATABASE_URL": database_url,
        "TOY_QUEUE": name,
        "TOY_PREFIX": name,
    }
    engine = create_db_engine(env["TOY_DATABASE_URL"])
    toy.METADATA.create_all(engine)
    engine.dispose()
    client = redis.Redis.from_url(redis_server_url)
    with pytest.MonkeyPatch.context() as patch:
        for variable, value in env.items():
            patch.setenv(variable, value)
        toy.history.cache_clear()
        toy.bound.cache_clear()
        try:
            yield ToyStack(env, tmp_path, client)
        finally:
            toy.history().engine.dispose()
            toy.history.cache_clear()
            toy.bound.cache_clear()
            for key in client.scan_iter(match=f"{name}*"):
                client.delete(key)
            client.close()


def copy_toy_module(target: Path) -> Path:
    """A copy of the toy module in ``target`` (to change its code between workers)."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(TESTS_DIR / "taskgraph_toy.py", target / "taskgraph_toy.py")
    return target / "taskgraph_toy.py"
