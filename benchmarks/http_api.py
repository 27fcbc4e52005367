"""HTTP benchmarks of the catalog and listening APIs beside a bare FastAPI endpoint.

The real data set is imported into SQLite, then catalog-api, listening-api and the bare
``hello_app`` are started the same way (their own ``uvicorn.run``, one worker) on loopback
ports, and each endpoint is loaded with ``wrk`` (2 threads, 32 connections, 2 s warm-up, 10 s
measured) right after the bare endpoint. Two passes: response cache off (no Redis: every
request reaches the database) and on (local Redis, DB ``SOUNDSTREAM_BENCH_REDIS_DB``, or the
whole URL in ``SOUNDSTREAM_BENCH_REDIS_URL``).
Targets (ISSUE 3): each endpoint ≥ 25% of the bare endpoint's requests/s, p99 ≤ 50 ms;
search p95 ≤ 50 ms.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import tempfile
from contextlib import AbstractContextManager, ExitStack
from pathlib import Path
from typing import Any

from benchmarks import processes
from benchmarks.env import real_data_dir, run_timed, save, verdict, wait_for_quiet_machine
from benchmarks.import_sqlite import ADMIN, import_env
from benchmarks.wrk_load import LoadResult, require_wrk, rotating_paths, run_wrk

BIN = Path(sys.executable).parent
PORTS = {"hello": 18180, "catalog": 18181, "listening": 18182}
REDIS_DB = int(os.environ.get("SOUNDSTREAM_BENCH_REDIS_DB", "12"))
REDIS_URL = os.environ.get("SOUNDSTREAM_BENCH_REDIS_URL") or f"redis://127.0.0.1:6379/{REDIS_DB}"
SEARCH = "/search/artists?tag=rock&tag=alternative&tag=indie&match=all"


def server(
    name: str, command: list[str], env: dict[str, str], ready: str, log: Path
) -> AbstractContextManager[str]:
    """Start one server process on its port, wait until ``ready`` answers, stop it on exit."""
    return processes.server(f"http://127.0.0.1:{PORTS[name]}", command, env, ready, log)


def sample_ids(db: Path, query: str) -> list[int]:
    """Ids for the rotating requests (read from the imported database)."""
    with sqlite3.connect(db) as conn:
        return [int(row[0]) for row in conn.execute(query)]


def service_env(work: Path, cache: bool) -> dict[str, str]:
    env = import_env(work, f"sqlite:///{work}/catalog.db", f"sqlite:///{work}/listening.db")
    redis = REDIS_URL if cache else ""
    env.update(
        CATALOG_PORT=str(PORTS["catalog"]),
        LISTENING_PORT=str(PORTS["listening"]),
        CATALOG_REDIS_URL=redis,
        LISTENING_REDIS_URL=redis,
        CATALOG_LOG_JSON="true",
        LISTENING_LOG_JSON="true",
    )
    return env


def measure_pass(work: Path, cache: bool) -> list[dict[str, Any]]:
    """Start the three servers, load every endpoint beside the bare one."""
    env = service_env(work, cache)
    artists = sample_ids(
        work / "catalog.db",
        "SELECT id FROM artists WHERE NOT is_placeholder ORDER BY random() LIMIT 2000",
    )
    users = sample_ids(work / "listening.db", "SELECT id FROM users ORDER BY random() LIMIT 2000")
    cases = [
        ("GET /artists/{id}", "catalog", "/artists/", rotating_paths("/artists/", artists)),
        (
            "GET /users/{id}/artists",
            "listening",
            "/users/",
            rotating_paths("/users/", users, "/artists"),
        ),
        ("GET " + SEARCH, "catalog", SEARCH, ""),
    ]
    label = "cache on" if cache else "cache off"
    rows: list[dict[str, Any]] = []
    with ExitStack() as stack:
        bases = {
            "hello": stack.enter_context(
                server(
                    "hello",
                    [sys.executable, "-m", "benchmarks.hello_app", str(PORTS["hello"])],
                    env,
                    "/hello",
                    work / "hello.log",
                )
            ),
            "catalog": stack.enter_context(
                server(
                    "catalog",
                    [str(BIN / "catalog-api")],
                    env,
                    "/ready",
                    work / f"catalog-{cache}.log",
                )
            ),
            "listening": stack.enter_context(
                server(
                    "listening",
                    [str(BIN / "listening-api")],
                    env,
                    "/ready",
                    work / f"listening-{cache}.log",
                )
            ),
        }
        for name, service, path, lua in cases:
            load = wait_for_quiet_machine(f"http {label} {name}")
            bare = run_wrk(bases["hello"] + "/hello")
            endpoint = run_wrk(bases[service] + path, lua)
            rows.append(judge(name, label, load, bare, endpoint, search=path == SEARCH))
            print(
                f"{label} {name}: {endpoint.requests_per_second:.0f} req/s "
                f"(bare {bare.requests_per_second:.0f}), p99 {endpoint.p99_ms:.1f} ms",
                file=sys.stderr,
            )
    return rows


def judge(
    name: str, label: str, load: float, bare: LoadResult, endpoint: LoadResult, *, search: bool
) -> dict[str, Any]:
    """One endpoint's numbers with its checks against the targets."""
    ratio = endpoint.requests_per_second / bare.requests_per_second
    checks = {
        "req/s >= 25% of bare": verdict(ratio, 0.25, at_least=True),
        "p99 <= 50 ms": verdict(endpoint.p99_ms, 50.0),
        "no errors": verdict(endpoint.errors, 0),
    }
    if search:
        checks["p95 <= 50 ms"] = verdict(endpoint.p95_ms, 50.0)
    return {
        "endpoint": name,
        "mode": label,
        "load_1min": load,
        "bare": bare.as_dict(),
        "measured": endpoint.as_dict(),
        "ratio_to_bare": ratio,
        "checks": checks,
    }


def main() -> dict[str, Any]:
    """Import the real data into SQLite, then run both passes."""
    require_wrk()
    with tempfile.TemporaryDirectory(prefix="bench-http-") as tmp:
        work = Path(tmp)
        env = import_env(work, f"sqlite:///{work}/catalog.db", f"sqlite:///{work}/listening.db")
        command = [
            str(ADMIN),
            "import",
            "--data-dir",
            str(real_data_dir()),
            "--report",
            str(work / "r.json"),
        ]
        if run_timed(command, env=env, log=work / "import.log").returncode != 0:
            raise RuntimeError("import failed")
        rows = measure_pass(work, cache=False) + measure_pass(work, cache=True)
    results = {"threads": 2, "connections": 32, "warmup_seconds": 2, "seconds": 10, "results": rows}
    print(save("http_api", results))
    return results


if __name__ == "__main__":
    import json

    print(json.dumps(main(), indent=2))
