"""The daily graph (extract -> delta_views -> quality -> warm_cache) on a real Celery worker,
reading the exports from a live HTTP server."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import orjson
import pytest

from analytics.config import Settings
from analytics.db import MIGRATIONS
from analytics.jobs import DAILY, create_jobs, daily_graph
from analytics.sources import EXPORT_FORMAT, EXPORTS, Snapshot
from analytics.warehouse import open_warehouse
from soundstream_common.db import create_db_engine
from soundstream_taskgraph.queries import get_run
from soundstream_testing import wait_until

from .conftest import D, make_snapshot

REDIS = os.environ.get("SOUNDSTREAM_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
RESULT_TIMEOUT = 120


def export_bodies(snapshot: Snapshot) -> dict[str, bytes]:
    """Each service's export of ``snapshot``, in its own format (header, sections, counts)."""
    bodies = {}
    for source, (header_type, sections) in EXPORTS.items():
        lines = [orjson.dumps({"type": header_type, "format": EXPORT_FORMAT})]
        for name in sections:
            table = snapshot.tables[name]
            lines.append(
                orjson.dumps({"type": "section", "name": name, "columns": table.column_names})
            )
            lines += [orjson.dumps(list(row.values())) for row in table.to_pylist()]
        counts = {name: snapshot.tables[name].num_rows for name in sections}
        lines.append(orjson.dumps({"type": "end", **counts}))
        bodies[source] = b"\n".join(lines) + b"\n"
    return bodies


@pytest.fixture
def export_server() -> Iterator[str]:
    """One server standing for both services: ``<url>/catalog`` and ``<url>/listening``."""
    bodies = export_bodies(make_snapshot())

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = bodies[self.path.strip("/").partition("/")[0]]
            self.send_response(200)
            self.send_header("Content-Type", "application/x-ndjson")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    thread.join(timeout=10)


def test_the_graph_runs_extract_first_then_views_and_quality_then_the_cache() -> None:
    graph = daily_graph(Settings(redis_url=""))
    assert graph.levels() == [["extract"], ["delta_views", "quality"], ["warm_cache"]]


def test_a_daily_run_on_a_worker_exports_profiles_and_warms(
    tmp_path: Path, export_server: str
) -> None:
    queue = f"analytics-test-{uuid.uuid4().hex[:6]}"
    env = {
        "ANALYTICS_DATABASE_URL": f"sqlite:///{tmp_path / 'analytics.db'}",
        "ANALYTICS_WAREHOUSE_URL": f"duckdb:///{tmp_path / 'warehouse.duckdb'}",
        "ANALYTICS_DATA_DIR": str(tmp_path),
        "ANALYTICS_REDIS_URL": REDIS,
        "ANALYTICS_CELERY_BROKER_URL": REDIS,
        "ANALYTICS_CELERY_QUEUE": queue,
        "ANALYTICS_CATALOG_URL": f"{export_server}/catalog",
        "ANALYTICS_LISTENING_URL": f"{export_server}/listening",
        "ANALYTICS_FIRST_DATE": "2009-12-31",
        "ANALYTICS_LOG_JSON": "false",
    }
    settings = Settings(
        database_url=env["ANALYTICS_DATABASE_URL"],
        redis_url=REDIS,
        celery_broker_url=REDIS,
        celery_queue=queue,
        warehouse_url=env["ANALYTICS_WAREHOUSE_URL"],
    )
    engine = create_db_engine(settings.database_url)
    MIGRATIONS.upgrade(engine)
    jobs = create_jobs(settings, engine)
    log = tmp_path / "worker.log"
    with log.open("ab") as out:
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "analytics.celery_app",
                "worker",
                "-Q",
                queue,
                "--concurrency=2",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=INFO",
                f"--hostname={queue}@%h",
            ],
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:

        def answering() -> bool:
            assert worker.poll() is None, log.read_text()[-2000:]
            return bool(jobs.celery.control.ping(timeout=0.5))

        wait_until(answering, timeout=60, what="the worker to start")
        run_id = jobs.daily.start(force=False, targets=None, trigger="test")
        summary = jobs.celery.AsyncResult(run_id).get(timeout=RESULT_TIMEOUT)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert summary["state"] == "succeeded", summary
    assert summary["tasks"] == dict.fromkeys(
        ("extract", "delta_views", "quality", "warm_cache"), "succeeded"
    )
    outputs = {t.task: t.output or {} for t in get_run(jobs.history(), run_id).tasks}
    assert outputs["extract"]["rows"] > 0
    assert outputs["quality"]["summary"]["tag_variant_groups"] == 1
    assert "daily_activity" in outputs["warm_cache"]["warmed"]
    with open_warehouse(settings.warehouse_url) as warehouse:
        days = warehouse.read("tag_activity_daily").day.max().execute()
        assert str(days)[:10] >= str(D("2009-12-31"))
        assert warehouse.has("tag_activity_daily_delta")
    assert summary["graph"] == DAILY
    engine.dispose()
