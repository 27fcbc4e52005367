"""Fixtures for the recommender tests: a small synthetic snapshot with clear taste groups, and
for the service: a snapshot server, a real Celery worker process, Redis DB 14, SQLite."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import redis
import uvicorn
from celery import Celery
from fastapi import FastAPI
from fastapi.responses import Response, StreamingResponse
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from recommender.algorithms.snapshot import Friendships, Listens, Snapshot, TagAssignments
from recommender.config import Settings
from recommender.db import MIGRATIONS
from recommender.main import create_app
from recommender.models import ModelVersion
from recommender.serving.store import ModelStore
from recommender.training.jobs import RecommenderJobs, create_jobs
from soundstream_common.db import create_db_engine
from soundstream_taskgraph import RunRead
from soundstream_taskgraph.queries import get_run
from soundstream_testing import wait_until

from .fake_upstream import UpstreamUsers, add_routes


def synthetic_snapshot(seed: int = 0, *, groups: int = 3, users_per_group: int = 30) -> Snapshot:
    """Users in taste groups: ~12 artists each, mostly from their group's 20 artists, a
    couple from anywhere; friends and tags follow the groups."""
    rng = np.random.default_rng(seed)
    artists_per_group = 20
    n_artists = groups * artists_per_group
    users, artists, weights = [], [], []
    friend_a, friend_b = [], []
    tag_users, tag_artists, tag_ids = [], [], []
    popularity = 1.0 / np.arange(1, artists_per_group + 1)
    for group in range(groups):
        members = np.arange(users_per_group) + group * users_per_group + 1
        own = np.arange(artists_per_group) + group * artists_per_group + 1
        for user in members:
            liked = rng.choice(own, size=10, replace=False, p=popularity / popularity.sum())
            extra = rng.choice(np.arange(1, n_artists + 1), size=2, replace=False)
            chosen = np.unique(np.concatenate([liked, extra]))
            users += [int(user)] * len(chosen)
            artists += chosen.tolist()
            weights += rng.integers(1, 500, len(chosen)).tolist()
            for friend in rng.choice(members[members != user], size=2, replace=False):
                friend_a += [int(user), int(friend)]
                friend_b += [int(friend), int(user)]
            tagged = chosen[:3]
            tag_users += [int(user)] * len(tagged)
            tag_artists += tagged.tolist()
            tag_ids += [100 + (int(a) - 1) // artists_per_group for a in tagged]
    pairs = sorted(set(zip(friend_a, friend_b, strict=True)))
    return Snapshot(
        listens=Listens.from_arrays(users, artists, weights),
        friendships=Friendships.from_arrays([a for a, _ in pairs], [b for _, b in pairs]),
        tags=TagAssignments.from_arrays(tag_users, tag_artists, tag_ids),
    )


@pytest.fixture
def snapshot() -> Snapshot:
    """A 90-user, 60-artist synthetic snapshot (seeded)."""
    return synthetic_snapshot()


def snapshot_lines(snapshot: Snapshot, version: int) -> list[bytes]:
    """The listening export's NDJSON for ``snapshot`` (same lines as the listening service)."""
    listens = snapshot.listens
    friends = snapshot.friendships
    lines = [
        {"type": "snapshot", "format": 1, "dataset_version": version, "etag": f'"e-{version}"'},
        {"type": "section", "name": "listens", "columns": ["user_id", "artist_id", "weight"]},
        *[
            [int(u), int(a), int(w)]
            for u, a, w in zip(listens.user_ids, listens.artist_ids, listens.weights, strict=True)
        ],
        {"type": "section", "name": "friendships", "columns": ["user_id", "friend_id"]},
        *[[int(u), int(f)] for u, f in zip(friends.user_ids, friends.friend_ids, strict=True)],
        {"type": "end", "listens": len(listens), "friendships": len(friends)},
    ]
    return [(json.dumps(line, separators=(",", ":")) + "\n").encode() for line in lines]


HOLD_SECONDS = 120.0
"""The longest a held snapshot request waits for its release."""


@dataclass
class SnapshotServer:
    """Serves ``GET /export/snapshot`` and what serving reads from the listening and catalog
    services; tests change ``version`` / ``truncate`` / ``users`` between runs, and may hold
    the snapshot's answers (:meth:`hold`) to catch a worker inside its snapshot step."""

    snapshot: Snapshot
    version: int = 1
    truncate: bool = False
    url: str = ""
    requests: list[int] = field(default_factory=list)
    users: UpstreamUsers = field(default_factory=UpstreamUsers)
    held: threading.Event = field(default_factory=threading.Event)
    _gate: threading.Event | None = None

    def hold(self) -> None:
        """From now on a snapshot request waits (``held`` is set when one does) until
        :meth:`release`."""
        self.held.clear()
        self._gate = threading.Event()

    def release(self) -> None:
        if self._gate is not None:
            self._gate.set()
        self._gate = None

    def app(self) -> FastAPI:
        app = FastAPI()
        add_routes(app, self.snapshot, self.users)

        @app.get("/export/version")
        def version() -> dict[str, Any]:
            return {"version": self.version, "etag": f'"e-{self.version}"'}

        @app.get("/export/snapshot")
        def export() -> Response:
            self.requests.append(self.version)
            gate = self._gate
            if gate is not None:
                self.held.set()
                gate.wait(timeout=HOLD_SECONDS)
            lines = snapshot_lines(self.snapshot, self.version)
            if self.truncate:
                lines = lines[: len(lines) // 2]
            headers = {"ETag": f'"e-{self.version}"', "X-Dataset-Version": str(self.version)}
            return StreamingResponse(
                iter(lines), media_type="application/x-ndjson", headers=headers
            )

        @app.get("/stats/artists/top")
        def top_artists(limit: int = 10) -> dict[str, Any]:
            listeners = np.bincount(self.snapshot.listens.artist_ids)
            order = np.lexsort((np.arange(len(listeners)), -listeners))[:limit]
            items = [
                {"rank": r + 1, "artist_id": int(a), "listeners": int(listeners[a]), "plays": 0}
                for r, a in enumerate(order)
                if listeners[a] > 0
            ]
            return {"items": items, "total": len(items), "limit": limit, "next_cursor": None}

        return app


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """Run ``app`` with uvicorn on a free port in a thread; yields its base URL."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()

    def started() -> bool:
        assert thread.is_alive(), "the snapshot server stopped while starting"
        return server.started

    wait_until(started, timeout=20, what="the snapshot server to start", poll=0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def celery_worker(
    env: dict[str, str], app: Celery, queue: str, log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """A real ``celery worker`` subprocess on ``queue`` (in its own process group, so a test
    can kill the worker with its pool); waits until it answers a ping."""
    with log.open("ab") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "recommender.training.celery_app",
                "worker",
                "-Q",
                queue,
                "--concurrency=2",
                "--without-gossip",
                "--without-mingle",
                "-E",
                "--loglevel=INFO",
                f"--hostname={queue}-{uuid.uuid4().hex[:6]}@%h",
            ],
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:

            def answers() -> bool:
                assert process.poll() is None, f"worker exited: {log.read_text()[-2000:]}"
                return bool(app.control.ping(timeout=0.5, destination=None))

            wait_until(
                answers,
                timeout=60,
                what=lambda: f"the worker to answer a ping: {log.read_text()[-2000:]}",
                poll=0,  # each ping waits half a second for answers
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


REDIS_TEST_URL = os.environ.get("RECOMMENDER_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
RESULT_TIMEOUT = 240


def published(result: dict[str, Any]) -> dict[str, Any]:
    """What ``publish`` returned, from a run's summary (the Celery result of the run)."""
    output: dict[str, Any] = result["outputs"]["publish"]
    return output


@dataclass
class Pipeline:
    """A running worker, the snapshot server and handles on Redis, the jobs and the database."""

    jobs: RecommenderJobs
    server: SnapshotServer
    store: ModelStore
    settings: Settings
    queue: str
    env: dict[str, str]
    worker: subprocess.Popen[bytes]
    log: Path

    @property
    def celery(self) -> Celery:
        return self.jobs.celery

    def retrain(self, *, force: bool) -> Any:
        """Start a run of the training graph; its Celery result is the run's summary."""
        return self.celery.AsyncResult(self.jobs.training.start(force=force, trigger="test"))

    def run(self, run_id: str) -> RunRead:
        return get_run(self.jobs.history(), run_id)

    def versions(self) -> list[ModelVersion]:
        engine = create_db_engine(self.settings.database_url)
        try:
            with Session(engine) as session:
                return list(session.scalars(select(ModelVersion)))
        finally:
            engine.dispose()


@contextmanager
def running_pipeline(
    tmp: Path, server: SnapshotServer, *, catalog_url: str | None = None, **settings: str
) -> Iterator[Pipeline]:
    """A migrated SQLite database, ``server`` serving the listening (and, unless
    ``catalog_url`` names another, catalog) endpoints, and a real worker on a queue (and key
    prefix) of its own; ``settings`` are extra ``RECOMMENDER_*`` values (lower-case names)."""
    queue = f"reco-test-{uuid.uuid4().hex[:8]}"
    env = {
        "RECOMMENDER_DATA_DIR": str(tmp),
        "RECOMMENDER_DATABASE_URL": f"sqlite:///{tmp / 'recommender.db'}",
        "RECOMMENDER_REDIS_URL": REDIS_TEST_URL,
        "RECOMMENDER_CELERY_BROKER_URL": REDIS_TEST_URL,
        "RECOMMENDER_CELERY_QUEUE": queue,
        "RECOMMENDER_KEY_PREFIX": queue,
        **{f"RECOMMENDER_{name.upper()}": value for name, value in settings.items()},
    }
    client = redis.Redis.from_url(REDIS_TEST_URL)
    client.flushdb()
    with serve(server.app()) as url:
        env["RECOMMENDER_LISTENING_URL"] = url
        env["RECOMMENDER_CATALOG_URL"] = url if catalog_url is None else catalog_url
        config = Settings.model_validate(
            {k.removeprefix("RECOMMENDER_").lower(): v for k, v in env.items()}
        )
        engine = create_db_engine(config.database_url)
        MIGRATIONS.upgrade(engine)
        engine.dispose()
        jobs = create_jobs(config)
        log = tmp / "worker.log"
        try:
            with celery_worker(env, jobs.celery, queue, log) as worker:
                yield Pipeline(
                    jobs, server, ModelStore(client, queue), config, queue, env, worker, log
                )
        finally:
            jobs.history().engine.dispose()
    client.flushdb()
    client.close()


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pipeline]:
    with running_pipeline(
        tmp_path_factory.mktemp("pipeline"), SnapshotServer(synthetic_snapshot())
    ) as running:
        yield running


@pytest.fixture(scope="module")
def trained(pipeline: Pipeline) -> Pipeline:
    """The module's pipeline after one forced retrain: a published model to serve."""
    pipeline.retrain(force=True).get(timeout=RESULT_TIMEOUT)
    return pipeline


@pytest.fixture
def client(trained: Pipeline) -> Iterator[TestClient]:
    """The recommender API over the trained pipeline's settings."""
    with TestClient(create_app(trained.settings)) as client:
        yield client
