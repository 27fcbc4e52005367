"""The gateway's overhead: latency through it against the upstream's, and cached throughput.

The real data set is imported into SQLite; the catalog, the gateway (in front of it) and the
bare ``hello_app`` are started as they start themselves (one worker each) on loopback ports.

- Latency (ISSUE 5: p50 through the gateway ≤ the upstream's p50 + 3 ms): ``GET
  /artists/{id}`` over 2,000 rotating ids, one connection (requests one after another, so the
  numbers are per-request costs, not queueing), straight to the catalog and then through the
  gateway with its response cache off (every request goes upstream: authentication, rate
  limit in Redis, forwarding).
- Throughput (ISSUE 5: cached GETs ≥ 50% of a bare FastAPI endpoint's requests/s): ``GET
  /v1/artists/{id}`` over 200 rotating ids, all in the gateway's cache after the warm-up,
  2 threads and 32 connections, right after the bare endpoint under the same load; then the
  gateway's ``/health`` (no upstream, no cache: the chassis' own cost) for reference.

Redis: ``SOUNDSTREAM_BENCH_REDIS_URL`` (default ``redis://127.0.0.1:6379/12``). The results
are saved under var/benchmarks/ and recorded in docs/gateway.md.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from contextlib import AbstractContextManager, ExitStack
from pathlib import Path
from typing import Any

from benchmarks import processes
from benchmarks.env import run_timed, save, verdict, wait_for_quiet_machine
from benchmarks.http_api import sample_ids
from benchmarks.import_sqlite import ADMIN, import_env
from benchmarks.wrk_load import LoadResult, require_wrk, rotating_paths, run_wrk

BIN = Path(sys.executable).parent
PORTS = {"hello": 18280, "catalog": 18281, "gateway": 18290}
REDIS_URL = os.environ.get("SOUNDSTREAM_BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
LATENCY_BUDGET_MS = 3.0
MIN_CACHED_RATIO = 0.5


def server(
    name: str, command: list[str], env: dict[str, str], ready: str, log: Path
) -> AbstractContextManager[str]:
    """Start one server process on its port, wait until ``ready`` answers, stop it on exit."""
    return processes.server(f"http://127.0.0.1:{PORTS[name]}", command, env, ready, log)


def stack_env(work: Path, *, gateway_cache: bool) -> dict[str, str]:
    env = import_env(work, f"sqlite:///{work}/catalog.db", f"sqlite:///{work}/listening.db")
    env.update(
        CATALOG_PORT=str(PORTS["catalog"]),
        CATALOG_REDIS_URL=REDIS_URL,
        CATALOG_LOG_JSON="true",
        GATEWAY_PORT=str(PORTS["gateway"]),
        GATEWAY_DATABASE_URL=f"sqlite:///{work}/gateway.db",
        GATEWAY_REDIS_URL=REDIS_URL,
        GATEWAY_CATALOG_URL=f"http://127.0.0.1:{PORTS['catalog']}",
        GATEWAY_RESPONSE_CACHE=str(gateway_cache).lower(),
        GATEWAY_RATE_LIMIT_ANONYMOUS="100000000",
        GATEWAY_LOG_JSON="true",
    )
    return env


def _one_connection(url: str, lua: str) -> LoadResult:
    """``wrk`` with one thread and one connection: requests strictly one after another."""
    return run_wrk(url, lua, threads=1, connections=1)


def measure(work: Path, *, gateway_cache: bool) -> dict[str, Any]:
    env = stack_env(work, gateway_cache=gateway_cache)
    artists = sample_ids(
        work / "catalog.db",
        "SELECT id FROM artists WHERE NOT is_placeholder ORDER BY random() LIMIT 2000",
    )
    with ExitStack() as stack:
        hello = stack.enter_context(
            server(
                "hello",
                [sys.executable, "-m", "benchmarks.hello_app", str(PORTS["hello"])],
                env,
                "/hello",
                work / "hello.log",
            )
        )
        catalog = stack.enter_context(
            server("catalog", [str(BIN / "catalog-api")], env, "/ready", work / "catalog.log")
        )
        gateway = stack.enter_context(
            server("gateway", [str(BIN / "gateway-api")], env, "/health", work / "gateway.log")
        )
        if not gateway_cache:
            label = "latency, gateway cache off"
            load = wait_for_quiet_machine(label)
            upstream = _one_connection(catalog + "/artists/", rotating_paths("/artists/", artists))
            through = _one_connection(
                gateway + "/v1/artists/", rotating_paths("/v1/artists/", artists)
            )
            overhead = through.p50_ms - upstream.p50_ms
            return {
                "mode": label,
                "endpoint": "GET /v1/artists/{id} vs GET /artists/{id}",
                "load_1min": load,
                "upstream": upstream.as_dict(),
                "measured": through.as_dict(),
                "p50_overhead_ms": overhead,
                "checks": {
                    "p50 <= upstream p50 + 3 ms": verdict(overhead, LATENCY_BUDGET_MS),
                    "no errors": verdict(through.errors, 0),
                },
            }
        label = "throughput, gateway cache on"
        cached_ids = artists[:200]
        lua = rotating_paths("/v1/artists/", cached_ids)
        load = wait_for_quiet_machine(label)
        run_wrk(gateway + "/v1/artists/", lua, seconds=3)  # fill the cache
        bare = run_wrk(hello + "/hello")
        cached = run_wrk(gateway + "/v1/artists/", lua)
        # The gateway's cheapest answer: what the service chassis alone (request ids, access
        # log, problem handlers, edge headers) allows, for reading the ratio above.
        health = run_wrk(gateway + "/health")
        ratio = cached.requests_per_second / bare.requests_per_second
        return {
            "mode": label,
            "endpoint": "GET /v1/artists/{id} (cached)",
            "load_1min": load,
            "bare": bare.as_dict(),
            "measured": cached.as_dict(),
            "gateway_health": health.as_dict(),
            "ratio_to_bare": ratio,
            "health_ratio_to_bare": health.requests_per_second / bare.requests_per_second,
            "checks": {
                "req/s >= 50% of bare": verdict(ratio, MIN_CACHED_RATIO, at_least=True),
                "no errors": verdict(cached.errors, 0),
            },
        }


def main() -> dict[str, Any]:
    require_wrk()
    with tempfile.TemporaryDirectory(prefix="bench-gateway-") as tmp:
        work = Path(tmp)
        env = stack_env(work, gateway_cache=True)
        data = os.environ.get("SOUNDSTREAM_HETREC_DIR") or str(
            Path(__file__).resolve().parents[2] / "shared" / "data" / "hetrec2011-lastfm-2k"
        )
        for command in (
            [str(ADMIN), "import", "--data-dir", data, "--report", str(work / "r.json")],
            [str(ADMIN), "migrate"],
        ):
            if run_timed(command, env=env, log=work / "setup.log").returncode != 0:
                raise RuntimeError(f"{command[1]} failed: {(work / 'setup.log').read_text()}")
        uptime = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout
        rows = [measure(work, gateway_cache=False), measure(work, gateway_cache=True)]
    for row in rows:
        print(f"{row['mode']}: {row['checks']}", file=sys.stderr)
    results = {"uptime": uptime.strip(), "results": rows}
    print(save("gateway", results))
    return results


if __name__ == "__main__":
    main()
