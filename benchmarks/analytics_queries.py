"""Query templates through the gateway, as the SDK, the CLI and the dashboard ask for them.

The real data set is imported into SQLite; catalog-api and listening-api serve their
exports, ``soundstream-admin analytics extract`` backfills a DuckDB warehouse, then
analytics-api and gateway-api start (one process each) beside the bare FastAPI
``hello_app``. Each pass loads ``GET /v1/analytics/queries/{name}`` with ``wrk`` (2 threads,
32 connections, 2 s warm-up, 10 s measured), with the admin key, right after the bare
endpoint, over 2,000 distinct calls in random order: every template, the 200 most used tags,
random month-aligned ``from``/``to`` ranges between 2005 and 2011.

- **cached**: every call asked once before measuring, so each answer comes from the
  analytics service's cache (what follows the daily run's cache warming), the gateway's
  response cache off;
- **cached, gateway cache on**: the same with the gateway's response cache on as well;
- **uncached**: every cached answer dropped before the pass (each call runs on DuckDB);
- **cached, 4 connections**: the first pass with a handful of callers at once (a few
  dashboards), where the latency is the answer's own and not the queue of 32 connections
  on 2 cores.

Target (the analytics issue): a cached template's p50 <= 20 ms through the gateway.

``uv run python -m benchmarks.analytics_queries`` (about 3 minutes); Redis:
``SOUNDSTREAM_BENCH_REDIS_URL`` (default ``redis://127.0.0.1:6379/10``), flushed. Results:
``var/benchmarks/analytics_queries.json``, recorded in docs/benchmarks.md.
"""

from __future__ import annotations

import random
import sqlite3
import sys
import tempfile
import urllib.parse
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import redis

from benchmarks.env import real_data_dir, run_timed, save, verdict, wait_for_quiet_machine
from benchmarks.processes import background, wait_ready
from benchmarks.recommender_stack import import_data
from benchmarks.user_paths import (
    PORTS,
    REDIS_URL,
    Route,
    ask_each_once,
    drop_response_caches,
    measure,
    stack_env,
    summary_line,
    url,
)
from benchmarks.wrk_load import require_wrk

BIN = Path(sys.executable).parent
ANALYTICS_PORT = PORTS["recommender"] + 1
CALLS = 2000
TAGS = 200
MAX_P50_MS = 20.0


def analytics_env(work: Path, *, gateway_cache: bool) -> dict[str, str]:
    env = stack_env(work, gateway_cache=gateway_cache, gateway_workers=1)
    analytics = f"http://127.0.0.1:{ANALYTICS_PORT}"
    env.update(
        ANALYTICS_DATABASE_URL=f"sqlite:///{work}/analytics.db",
        ANALYTICS_REDIS_URL=REDIS_URL,
        ANALYTICS_PORT=str(ANALYTICS_PORT),
        ANALYTICS_LOG_JSON="true",
        ANALYTICS_LOG_DIR=str(work / "logs" / "analytics"),
        ANALYTICS_WAREHOUSE_URL=f"duckdb:///{work}/warehouse.duckdb",
        ANALYTICS_SOURCE_CACHE_DIR=str(work / "sources"),
        ANALYTICS_CATALOG_URL=url("catalog"),
        ANALYTICS_LISTENING_URL=url("listening"),
        GATEWAY_ANALYTICS_URL=analytics,
    )
    return env


def calls(work: Path, rng: random.Random) -> list[str]:
    """``CALLS`` distinct template calls, in random order."""
    with sqlite3.connect(work / "catalog.db") as conn:
        tags = [
            str(row[0])
            for row in conn.execute(
                "SELECT t.value FROM tags t JOIN tag_assignments a ON a.tag_id = t.id "
                "GROUP BY t.id ORDER BY count(*) DESC LIMIT ?",
                (TAGS,),
            )
        ]
    months = [f"{year}-{month:02d}-01" for year in range(2005, 2011) for month in range(1, 13)]
    chosen: set[str] = set()
    while len(chosen) < CALLS:
        first, last = sorted(rng.sample(range(len(months)), 2))
        params: dict[str, str | int] = {"from": months[first], "to": months[last]}
        name = rng.choice(
            [
                "daily_activity",
                "growth",
                "top_tags",
                "tag_trend",
                "tag_top_artists",
                "tagger_cohorts",
                "artist_statistics",
            ]
        )
        if name in ("tag_trend", "tag_top_artists"):
            params["tag"] = rng.choice(tags)
        if name in ("top_tags", "tag_top_artists", "artist_statistics"):
            params["limit"] = rng.choice([10, 20, 50])
        chosen.add(f"/v1/analytics/queries/{name}?{urllib.parse.urlencode(params)}")
    paths = sorted(chosen)
    rng.shuffle(paths)
    return paths


def backfill(work: Path, env: dict[str, str]) -> float:
    """Every service database migrated, then the warehouse built from the services' exports
    (the whole command); the build's wall time."""
    migrated = run_timed(
        [str(BIN / "soundstream-admin"), "migrate"], env=env, log=work / "migrate.log"
    )
    if migrated.returncode != 0:
        raise RuntimeError(f"migrate failed, see {work / 'migrate.log'}")
    timed = run_timed(
        [str(BIN / "soundstream-admin"), "analytics", "extract"], env=env, log=work / "extract.log"
    )
    if timed.returncode != 0:
        raise RuntimeError(f"extract failed, see {work / 'extract.log'}")
    return timed.seconds


def run_pass(
    work: Path,
    label: str,
    paths: list[str],
    *,
    gateway_cache: bool,
    warm: bool,
    connections: int = 32,
) -> Any:
    env = analytics_env(work, gateway_cache=gateway_cache)
    with ExitStack() as stack:
        hello = [sys.executable, "-m", "benchmarks.hello_app", str(PORTS["hello"])]
        stack.enter_context(background(hello, env, work / "hello.log"))
        wait_ready(url("hello") + "/hello")
        pids = {}
        for name, base in (
            ("analytics", f"http://127.0.0.1:{ANALYTICS_PORT}"),
            ("gateway", url("gateway")),
        ):
            command = [str(BIN / f"{name}-api")]
            pids[name] = stack.enter_context(background(command, env, work / f"{name}.log")).pid
            wait_ready(base + "/ready")
        drop_response_caches()
        if warm:
            failed = ask_each_once(paths)
            if failed:
                raise RuntimeError(f"{failed} non-200 answers warming the cache")
        load = wait_for_quiet_machine(f"analytics queries: {label}")
        route = Route("query template", paths, min_ratio=0.0)
        result = measure(route, url("hello"), pids, connections=connections)
        p50 = result["measured"]["p50_ms"]
        result.update(mode=label, load_1min=load)
        if warm:
            result["checks"][f"p50 <= {MAX_P50_MS:.0f} ms"] = verdict(p50, MAX_P50_MS)
        # No share of the bare endpoint is asked of a query: only the cached p50 and no errors.
        result["checks"] = {k: v for k, v in result["checks"].items() if "of bare" not in k}
        print(summary_line(result), flush=True)
        return result


def main() -> dict[str, Any]:
    require_wrk()
    data = real_data_dir()
    rng = random.Random(11)
    redis.Redis.from_url(REDIS_URL).flushdb()
    with tempfile.TemporaryDirectory(prefix="bench-analytics-queries-") as tmp:
        work = Path(tmp)
        import_data(data, work)
        env = analytics_env(work, gateway_cache=False)
        with ExitStack() as stack:
            for name in ("catalog", "listening"):
                command = [str(BIN / f"{name}-api")]
                stack.enter_context(background(command, env, work / f"{name}.log"))
                wait_ready(url(name) + "/ready")
            backfill_seconds = backfill(work, env)
        paths = calls(work, rng)
        passes = [
            run_pass(work, "cached", paths, gateway_cache=False, warm=True),
            run_pass(
                work, "cached, 4 connections", paths, gateway_cache=False, warm=True, connections=4
            ),
            run_pass(work, "cached, gateway cache on", paths, gateway_cache=True, warm=True),
            run_pass(work, "uncached", paths, gateway_cache=False, warm=False),
        ]
    results = {
        "distinct_calls": CALLS,
        "backfill_seconds": round(backfill_seconds, 2),
        "passes": passes,
    }
    save("analytics_queries", results)
    return results


if __name__ == "__main__":
    main()
