"""The analytics warehouse on the real data: a full backfill and an incremental daily run.

The real data set is imported into fresh SQLite databases, the catalog and listening
services are started on their own ports, and ``soundstream-admin analytics extract`` (the
whole command: start-up, reading both services' export streams over HTTP, the extractors on
a fresh DuckDB warehouse) is timed, median of ``RUNS`` runs each:

- backfill: every day from the first date setting (2005-01-01) up to the day before
  yesterday, into an empty warehouse;
- incremental: the next run, which exports the one new day (yesterday), both as the command
  and in process (what the daily graph's ``extract`` task does in a running worker). Both
  exports are unchanged since the backfill, so both answer ``304 Not Modified`` and the
  sources come from the kept copies (``ANALYTICS_SOURCE_CACHE_DIR``);
- in process also: the same run again with nothing new (every table up to date), and a day
  re-exported after the catalog changed (its kept export forgotten: the catalog's export is
  read in full, the listening one still answers 304);
- each query template run uncached on the backfilled DuckDB warehouse (in process).

Targets (the analytics issue): backfill <= 10 s, incremental <= 1 s, uncached query <= 300 ms.

``python -m benchmarks.analytics_warehouse x50`` (or ``all``) backfills the synthetic x50 set
(``soundstream-admin generate``, 94,600 users, made once under ``var/benchmarks/x50``) as the
command, once: target <= 3 min with a peak RSS <= 2 GB.
Ports: ``SOUNDSTREAM_BENCH_PORT_BASE`` (default 18400) and the next one.
"""

from __future__ import annotations

import datetime
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks.env import (
    RESULTS_DIR,
    median,
    real_data_dir,
    run_timed,
    save,
    verdict,
    wait_for_quiet_machine,
)
from benchmarks.processes import server

RUNS = int(os.environ.get("SOUNDSTREAM_BENCH_RUNS", "3"))
PORT_BASE = int(os.environ.get("SOUNDSTREAM_BENCH_PORT_BASE", "18400"))
ADMIN = Path(sys.executable).with_name("soundstream-admin")
BIN = Path(sys.executable).parent
QUERY_RUNS = 5


def _env(work: Path, warehouse: Path, sources: Path | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        SOUNDSTREAM_DATA_DIR=str(work),
        CATALOG_DATABASE_URL=f"sqlite:///{work}/catalog.db",
        LISTENING_DATABASE_URL=f"sqlite:///{work}/listening.db",
        CATALOG_REDIS_URL="",
        LISTENING_REDIS_URL="",
        CATALOG_PORT=str(PORT_BASE),
        LISTENING_PORT=str(PORT_BASE + 1),
        ANALYTICS_CATALOG_URL=f"http://127.0.0.1:{PORT_BASE}",
        ANALYTICS_LISTENING_URL=f"http://127.0.0.1:{PORT_BASE + 1}",
        ANALYTICS_WAREHOUSE_URL=f"duckdb:///{warehouse}",
        ANALYTICS_SOURCE_CACHE_DIR=str(sources or work / "sources"),
        ANALYTICS_DATABASE_URL=f"sqlite:///{work}/analytics.db",
        ANALYTICS_REDIS_URL="",
    )
    return env


def _extract(env: dict[str, str], log: Path, *args: str) -> float:
    timed = run_timed([str(ADMIN), "analytics", "extract", *args], env=env, log=log)
    if timed.returncode != 0:
        raise RuntimeError(f"extract failed, see {log}")
    return timed.seconds


def _in_process(env: dict[str, str], work: Path, before: str) -> dict[str, float]:
    """A backfill up to ``before`` in process, then the timed runs (seconds): the incremental
    one (sources unchanged), the same with nothing new, and a day after a catalog change."""
    from analytics import operations
    from analytics.config import Settings
    from analytics.export_cache import ExportCache

    settings = Settings(
        warehouse_url=f"duckdb:///{work / 'warehouse.duckdb'}",
        source_cache_dir=work / "sources",
        catalog_url=env["ANALYTICS_CATALOG_URL"],
        listening_url=env["ANALYTICS_LISTENING_URL"],
        redis_url="",
    )
    end = datetime.date.fromisoformat(before) + datetime.timedelta(days=1)
    operations.extract(settings, end=end)
    timings = {}
    for case in ("incremental", "nothing_new", "catalog_changed"):
        start = None
        if case == "catalog_changed":
            ExportCache(settings.source_cache_path).forget("catalog")
            start = end  # yesterday again, replacing it
        started = time.perf_counter()
        operations.extract(settings, start=start)
        timings[case] = time.perf_counter() - started
    return timings


def _queries(warehouse: Path) -> dict[str, float]:
    """Each template's median uncached time (ms) on the warehouse, in process."""
    from analytics.queries import TEMPLATES, bind, run_query
    from analytics.warehouse import open_warehouse

    given: dict[str, Any] = {"tag": "rock"}
    timings = {}
    with open_warehouse(f"duckdb:///{warehouse}") as w:
        for name, query in TEMPLATES.items():
            taken = {p.name for p in query.params}
            params = bind(query, {k: v for k, v in given.items() if k in taken})
            samples = []
            for _ in range(QUERY_RUNS):
                started = time.perf_counter()
                run_query(w, query, params)
                samples.append((time.perf_counter() - started) * 1000)
            timings[name] = round(median(samples), 1)
    return timings


@contextmanager
def _sources(data: Path, work: Path, env: dict[str, str], log: Path) -> Iterator[None]:
    """``data`` imported into fresh SQLite files under ``work``, the catalog and listening
    services serving their exports from them while the block runs."""
    imported = run_timed(
        [str(ADMIN), "import", "--data-dir", str(data), "--report", str(work / "r.json")],
        env=env,
        log=RESULTS_DIR / "analytics_import.log",
    )
    if imported.returncode != 0:
        raise RuntimeError("import failed")
    catalog = server(
        f"http://127.0.0.1:{PORT_BASE}", [str(BIN / "catalog-api")], env, "/ready", log
    )
    listening = server(
        f"http://127.0.0.1:{PORT_BASE + 1}", [str(BIN / "listening-api")], env, "/ready", log
    )
    with catalog, listening:
        yield


def _day_before_yesterday() -> str:
    yesterday = datetime.datetime.now(datetime.UTC).date() - datetime.timedelta(days=1)
    return (yesterday - datetime.timedelta(days=1)).isoformat()


def main() -> dict[str, Any]:
    data = real_data_dir()
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    log = RESULTS_DIR / "analytics_warehouse.log"
    before = _day_before_yesterday()
    with tempfile.TemporaryDirectory(prefix="bench-analytics-") as tmp:
        work = Path(tmp)
        env = _env(work, work / "unused.duckdb")
        with _sources(data, work, env, log):
            load = wait_for_quiet_machine("analytics")
            backfills, incrementals = [], []
            warehouse = work / "w0.duckdb"
            for run in range(RUNS):
                warehouse = work / f"w{run}.duckdb"
                run_env = _env(work, warehouse, work / f"sources{run}")
                backfills.append(_extract(run_env, log, "--to", before))
                incrementals.append(_extract(run_env, log))
            runs = []
            for run in range(RUNS):
                (work / f"p{run}").mkdir()
                runs.append(_in_process(env, work / f"p{run}", before))
            in_process = {case: [r[case] for r in runs] for case in runs[0]}
            queries = _queries(warehouse)
    backfill, incremental = median(backfills), median(incrementals)
    warm = median(in_process["incremental"])
    slowest = max(queries.values())
    results = {
        "load_at_start": load,
        "runs": RUNS,
        "backfill_seconds": [round(s, 2) for s in backfills],
        "incremental_seconds": [round(s, 2) for s in incrementals],
        **{
            f"{case}_in_process_seconds": [round(s, 3) for s in values]
            for case, values in in_process.items()
        },
        "query_ms_uncached": queries,
        "checks": {
            f"backfill median {backfill:.2f} s <= 10 s": verdict(backfill, 10.0),
            f"incremental (command) median {incremental:.2f} s <= 1 s": verdict(incremental, 1.0),
            f"incremental (in process) median {warm:.2f} s <= 1 s": verdict(warm, 1.0),
            f"slowest uncached query {slowest:.0f} ms <= 300 ms": verdict(slowest, 300.0),
        },
    }
    save("analytics_warehouse", results)
    return results


def main_x50() -> dict[str, Any]:
    """The synthetic x50 data set backfilled once, as the command; its peak RSS from ``wait4``
    (the command's own process: the services streaming the exports are not counted)."""
    from benchmarks.import_postgres import X50_SEED, X50_USERS, synthetic_x50

    data = synthetic_x50()
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    log = RESULTS_DIR / "analytics_warehouse_x50.log"
    with tempfile.TemporaryDirectory(prefix="bench-analytics-x50-") as tmp:
        work = Path(tmp)
        warehouse = work / "x50.duckdb"
        env = _env(work, warehouse)
        with _sources(data, work, env, log):
            load = wait_for_quiet_machine("analytics x50")
            timed = run_timed(
                [str(ADMIN), "analytics", "extract", "--to", _day_before_yesterday()],
                env=env,
                log=log,
            )
            if timed.returncode != 0:
                raise RuntimeError(f"extract failed, see {log}")
        from analytics.warehouse import open_warehouse

        with open_warehouse(f"duckdb:///{warehouse}") as w:
            rows = {t: int(w.read(t).count().execute()) for t in w.tables()}
    peak_mib = timed.peak_rss_kib / 1024
    results: dict[str, Any] = {
        "users": X50_USERS,
        "seed": X50_SEED,
        "load_at_start": load,
        "backfill_seconds": round(timed.seconds, 2),
        "peak_rss_mib": round(peak_mib, 1),
        "warehouse_rows": rows,
        "checks": {
            f"x50 backfill {timed.seconds:.1f} s <= 180 s": verdict(timed.seconds, 180.0),
            f"peak RSS {peak_mib:.0f} MiB <= 2048 MiB": verdict(peak_mib, 2048.0),
        },
    }
    save("analytics_warehouse_x50", results)
    return results


if __name__ == "__main__":
    which = sys.argv[1] if len(sys.argv) > 1 else "real"
    for run in (main, main_x50) if which == "all" else (main_x50,) if which == "x50" else (main,):
        outcome = run()
        for check, result in outcome["checks"].items():
            print(f"{check}: {result}")
        print(outcome)
