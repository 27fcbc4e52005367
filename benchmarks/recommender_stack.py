"""The pieces the recommender benchmarks share: a data set imported into fresh SQLite files,
the listening and catalog APIs serving their exports (listens and friendships; tag
assignments), a real recommender worker, and one timed retrain.

Redis: ``SOUNDSTREAM_BENCH_REDIS_URL`` (default ``redis://127.0.0.1:6379/11``), flushed first.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
import redis

from benchmarks.env import REPO, run_timed
from benchmarks.import_sqlite import ADMIN, import_env
from benchmarks.processes import background, wait_ready

BIN = Path(sys.executable).parent
REDIS_URL = os.environ.get("SOUNDSTREAM_BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
LISTENING_PORT = int(os.environ.get("SOUNDSTREAM_BENCH_RECOMMENDER_PORT", "18292"))
RECOMMENDER_PORT = LISTENING_PORT + 1
CATALOG_PORT = LISTENING_PORT + 2
QUEUE = "recommender-bench"


def import_data(data_dir: Path, work: Path) -> float:
    """``soundstream-admin import`` of ``data_dir`` into ``work``; its wall time."""
    env = import_env(work, f"sqlite:///{work}/catalog.db", f"sqlite:///{work}/listening.db")
    command = [str(ADMIN), "import", "--data-dir", str(data_dir), "--report", str(work / "r.json")]
    timed = run_timed(command, env=env, log=work / "import.log")
    if timed.returncode != 0:
        raise RuntimeError(f"import failed, see {work / 'import.log'}")
    return timed.seconds


def recommender_env(work: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        SOUNDSTREAM_DATA_DIR=str(work),
        LISTENING_DATABASE_URL=f"sqlite:///{work}/listening.db",
        LISTENING_REDIS_URL="",
        LISTENING_PORT=str(LISTENING_PORT),
        LISTENING_LOG_JSON="true",
        CATALOG_DATABASE_URL=f"sqlite:///{work}/catalog.db",
        CATALOG_REDIS_URL="",
        CATALOG_PORT=str(CATALOG_PORT),
        CATALOG_LOG_JSON="true",
        RECOMMENDER_DATA_DIR=str(work),
        RECOMMENDER_DATABASE_URL=f"sqlite:///{work}/recommender.db",
        RECOMMENDER_REDIS_URL=REDIS_URL,
        RECOMMENDER_CELERY_BROKER_URL=REDIS_URL,
        RECOMMENDER_CELERY_QUEUE=QUEUE,
        RECOMMENDER_KEY_PREFIX=QUEUE,
        RECOMMENDER_LISTENING_URL=f"http://127.0.0.1:{LISTENING_PORT}",
        RECOMMENDER_CATALOG_URL=f"http://127.0.0.1:{CATALOG_PORT}",
        RECOMMENDER_PORT=str(RECOMMENDER_PORT),
        RECOMMENDER_LOG_JSON="true",
        RECOMMENDER_LOG_LEVEL="WARNING",
        RECOMMENDER_SNAPSHOT_TIMEOUT_SECONDS="600",
        RECOMMENDER_TASK_SOFT_TIME_LIMIT_SECONDS="3000",
        RECOMMENDER_TASK_TIME_LIMIT_SECONDS="3600",
        # The measured run is the one the benchmark starts: no start-up run beside it.
        RECOMMENDER_TRAIN_AT_START="false",
    )
    return env


@contextmanager
def training_stack(work: Path) -> Iterator[tuple[dict[str, str], subprocess.Popen[bytes]]]:
    """listening-api and catalog-api (the exports) and ``recommender-worker`` (2 processes)
    over ``work``."""
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    env = recommender_env(work)
    migrate = [str(ADMIN), "migrate"]
    subprocess.run(migrate, env=env, cwd=REPO, check=True, capture_output=True)
    with (
        background([str(BIN / "listening-api")], env, work / "listening.log"),
        background([str(BIN / "catalog-api")], env, work / "catalog.log"),
        background([str(BIN / "recommender-worker")], env, work / "worker.log") as worker,
    ):
        wait_ready(f"http://127.0.0.1:{LISTENING_PORT}/ready")
        wait_ready(f"http://127.0.0.1:{CATALOG_PORT}/ready")
        yield env, worker
    client.flushdb()
    client.close()


class MemorySampler:
    """Samples the resident memory of a process tree every 0.2 s (peak of the sum and of the
    largest single process)."""

    def __init__(self, pid: int) -> None:
        self.root = psutil.Process(pid)
        self.peak_total = 0
        self.peak_single = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            try:
                tree = [self.root, *self.root.children(recursive=True)]
                sizes = []
                for proc in tree:
                    try:
                        sizes.append(proc.memory_info().rss)
                    except psutil.Error:
                        continue
            except psutil.Error:
                return
            self.peak_total = max(self.peak_total, sum(sizes))
            self.peak_single = max(self.peak_single, max(sizes, default=0))

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class TrainingRun:
    seconds: float
    peak_rss_total_mib: float
    peak_rss_single_mib: float
    result: dict[str, Any]
    steps: dict[str, str]


def retrain(env: dict[str, str], worker: subprocess.Popen[bytes]) -> TrainingRun:
    """One forced run of the training graph (snapshot -> publish) on the running worker; wall
    time from the request to the published result, and the worker tree's peak memory
    meanwhile. ``steps``: each step's state in the run history."""
    from recommender.config import Settings
    from recommender.training.jobs import create_jobs
    from soundstream_taskgraph.queries import get_run

    settings = Settings.model_validate(
        {
            k.removeprefix("RECOMMENDER_").lower(): v
            for k, v in env.items()
            if k.startswith("RECOMMENDER_")
        }
    )
    jobs = create_jobs(settings)
    celery = jobs.celery
    deadline = time.monotonic() + 120
    while not celery.control.ping(timeout=0.5):
        if time.monotonic() > deadline:
            raise RuntimeError("worker did not answer")
    with MemorySampler(worker.pid) as memory:
        started = time.perf_counter()
        run_id = jobs.training.start(force=True, trigger="benchmark")
        summary = celery.AsyncResult(run_id).get(timeout=7200)
        seconds = time.perf_counter() - started
    run = get_run(jobs.history(), run_id)
    jobs.history().engine.dispose()
    return TrainingRun(
        seconds=seconds,
        peak_rss_total_mib=memory.peak_total / 2**20,
        peak_rss_single_mib=memory.peak_single / 2**20,
        result=summary["outputs"]["publish"],
        steps={task.task: task.state.value for task in run.tasks},
    )
