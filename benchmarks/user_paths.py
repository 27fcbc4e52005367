"""The user's paths, end to end: through the gateway, with a key, over many distinct ids.

What a user of the SDK, the CLI or the dashboard meets. The real data set is imported into
SQLite; catalog-api, listening-api, recommender-api and gateway-api are started as they
start themselves (one process each), a real recommender worker trains and publishes a first
model (then stops), and the bare FastAPI ``hello_app`` runs beside them. Each route is loaded
with ``wrk`` (2 threads, 32 connections, 2 s warm-up, 10 s measured) right after the bare
endpoint, with the admin key (its rate limit raised out of the way), over:

- every user (1,892) in random order: enriched recommendations ``?k=10``, user profile;
- 5,000 random artists in random order: artist page, artist by id;
- 2,000 random pairs of the 200 most used tags: 2-tag search;
- and one hot id (enriched recommendations of one user, one artist page), as before.

Cache states, recorded apart: **cold** = the gateway's response cache off and every cached
answer (the services' and the gateway's; not the published model) dropped before each route
(every request is computed behind the gateway; the services' own caches fill as the run
goes); **warm** = the gateway's cache on (TTL raised to 300 s) and every path
asked once before measuring. The cold routes are run again with 128 connections (the knee)
and with the gateway on 2 worker processes (``GATEWAY_WORKERS=2``).

Targets (share of the bare endpoint's requests/s in the same run): enriched recommendations
≥ 25% with p99 ≤ 100 ms; profile and artist page ≥ 15% with p99 ≤ 150 ms; artist by id and
2-tag search ≥ 30%; no non-2xx answer anywhere.

``uv run python -m benchmarks.user_paths`` (about 15 minutes; ``--passes cold,warm`` runs some
passes only, and the results are saved after each pass); Redis:
``SOUNDSTREAM_BENCH_REDIS_URL`` (default ``redis://127.0.0.1:6379/10``), flushed. Results:
``var/benchmarks/user_paths.json``, recorded in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psutil
import redis

from benchmarks.env import real_data_dir, save, verdict, wait_for_quiet_machine
from benchmarks.processes import background, wait_ready
from benchmarks.recommender_stack import import_data
from benchmarks.wrk_load import SECONDS, require_wrk, rotating_requests, run_wrk

BIN = Path(sys.executable).parent
REDIS_URL = os.environ.get("SOUNDSTREAM_BENCH_REDIS_URL", "redis://127.0.0.1:6379/10")
BASE_PORT = int(os.environ.get("SOUNDSTREAM_BENCH_USER_PATHS_PORT", "18300"))
PORTS = {
    "hello": BASE_PORT,
    "gateway": BASE_PORT + 1,
    "catalog": BASE_PORT + 2,
    "listening": BASE_PORT + 3,
    "recommender": BASE_PORT + 4,
}
ADMIN_KEY = "ss_bench_" + "k" * 40
QUEUE = "user-paths-bench"
TRAIN_TIMEOUT_SECONDS = 300.0


@dataclass(frozen=True)
class Route:
    name: str
    paths: list[str]
    min_ratio: float
    max_p99_ms: float | None = None


def url(name: str) -> str:
    return f"http://127.0.0.1:{PORTS[name]}"


def stack_env(work: Path, *, gateway_cache: bool, gateway_workers: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(SOUNDSTREAM_DATA_DIR=str(work), GATEWAY_ADMIN_API_KEY=ADMIN_KEY)
    for service in ("catalog", "listening", "recommender", "gateway"):
        prefix = service.upper() + "_"
        env[prefix + "DATABASE_URL"] = f"sqlite:///{work}/{service}.db"
        env[prefix + "REDIS_URL"] = REDIS_URL
        env[prefix + "PORT"] = str(PORTS[service])
        env[prefix + "LOG_JSON"] = "true"
        env[prefix + "LOG_DIR"] = str(work / "logs" / service)
    for upstream in ("catalog", "listening", "recommender"):
        env[f"GATEWAY_{upstream.upper()}_URL"] = url(upstream)
    env.update(
        RECOMMENDER_LISTENING_URL=url("listening"),
        RECOMMENDER_CATALOG_URL=url("catalog"),
        RECOMMENDER_CELERY_BROKER_URL=REDIS_URL,
        RECOMMENDER_CELERY_QUEUE=QUEUE,
        RECOMMENDER_KEY_PREFIX=QUEUE,
        GATEWAY_RATE_LIMIT_ADMIN="1000000000",
        GATEWAY_RESPONSE_CACHE=str(gateway_cache).lower(),
        GATEWAY_CACHE_TTL_SECONDS="300",
        GATEWAY_WORKERS=str(gateway_workers),
    )
    return env


def train(env: dict[str, str], work: Path) -> dict[str, Any]:
    """A first model, trained and published by a real worker (stopped afterwards)."""
    with (
        background([str(BIN / "recommender-worker")], env, work / "worker.log"),
        httpx.Client(base_url=url("recommender"), timeout=30) as client,
    ):
        started = client.post("/models/retrain", params={"force": "true"})
        started.raise_for_status()
        deadline = time.monotonic() + TRAIN_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            current = client.get("/models/current")
            if current.status_code == 200:
                return dict(current.json())
            time.sleep(1.0)
    raise RuntimeError(f"no model published within {TRAIN_TIMEOUT_SECONDS} s; see {work}")


def routes(work: Path, rng: random.Random) -> list[Route]:
    with sqlite3.connect(work / "listening.db") as conn:
        users = [int(row[0]) for row in conn.execute("SELECT id FROM users")]
    with sqlite3.connect(work / "catalog.db") as conn:
        artists = [
            int(row[0]) for row in conn.execute("SELECT id FROM artists WHERE NOT is_placeholder")
        ]
        tags = [
            str(row[0])
            for row in conn.execute(
                "SELECT t.value FROM tags t JOIN tag_assignments a ON a.tag_id = t.id "
                "GROUP BY t.id ORDER BY count(*) DESC LIMIT 200"
            )
        ]
    rng.shuffle(users)
    sampled = rng.sample(artists, 5000)
    pairs = [rng.sample(tags, 2) for _ in range(2000)]
    quoted = [[str(httpx.QueryParams({"tag": tag})) for tag in pair] for pair in pairs]
    return [
        Route(
            "enriched recommendations",
            [f"/v1/recommendations/users/{u}?k=10" for u in users],
            0.25,
            100,
        ),
        Route("user profile", [f"/v1/users/{u}/profile" for u in users], 0.15, 150),
        Route("artist page", [f"/v1/artists/{a}/page" for a in sampled], 0.15, 150),
        Route("artist by id", [f"/v1/artists/{a}" for a in sampled], 0.30),
        Route("2-tag search", [f"/v1/search/artists?{a}&{b}" for a, b in quoted], 0.30),
    ]


def hot_routes(all_routes: list[Route]) -> list[Route]:
    """The same routes over one id each (the first of their list)."""
    return [
        Route(f"{route.name}, one hot id", route.paths[:1], route.min_ratio, route.max_p99_ms)
        for route in all_routes
        if route.name in ("enriched recommendations", "artist page")
    ]


def ask_each_once(paths: list[str]) -> int:
    """Every path once through the gateway (16 at a time); the number of non-200 answers."""

    async def run() -> int:
        limit = asyncio.Semaphore(16)
        async with httpx.AsyncClient(
            base_url=url("gateway"), headers={"X-API-Key": ADMIN_KEY}, timeout=30
        ) as client:

            async def one(path: str) -> int:
                async with limit:
                    return (await client.get(path)).status_code

            statuses = await asyncio.gather(*(one(path) for path in paths))
        return sum(status != 200 for status in statuses)

    return asyncio.run(run())


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process and its children (a server's workers)."""
    try:
        process = psutil.Process(pid)
        total = 0.0
        for one in (process, *process.children(recursive=True)):
            times = one.cpu_times()
            total += times.user + times.system
        return total
    except psutil.NoSuchProcess:
        return 0.0


def measure(
    route: Route, hello: str, pids: dict[str, int], *, connections: int = 32
) -> dict[str, Any]:
    lua = rotating_requests(route.paths, {"X-API-Key": ADMIN_KEY})
    bare = run_wrk(hello + "/hello", connections=connections)
    before: dict[str, float] = {}

    def start_counting() -> None:
        before.update({name: cpu_seconds(pid) for name, pid in pids.items()})

    measured = run_wrk(
        url("gateway") + route.paths[0].split("?")[0],
        lua,
        connections=connections,
        after_warmup=start_counting,
    )
    requests = measured.requests_per_second * SECONDS
    cpu_ms = {
        name: round((cpu_seconds(pid) - before[name]) * 1000 / max(requests, 1), 3)
        for name, pid in pids.items()
    }
    ratio = measured.requests_per_second / bare.requests_per_second
    checks = {
        f"req/s >= {route.min_ratio:.0%} of bare": verdict(ratio, route.min_ratio, at_least=True),
        "no errors or non-2xx": verdict(measured.errors, 0),
    }
    if route.max_p99_ms is not None:
        checks[f"p99 <= {route.max_p99_ms:.0f} ms"] = verdict(measured.p99_ms, route.max_p99_ms)
    return {
        "route": route.name,
        "distinct_paths": len(set(route.paths)),
        "connections": connections,
        "bare": bare.as_dict(),
        "measured": measured.as_dict(),
        "ratio_to_bare": ratio,
        "cpu_ms_per_request": cpu_ms,
        "checks": checks,
    }


@contextmanager
def services(work: Path, env: dict[str, str]) -> Iterator[tuple[str, dict[str, int]]]:
    """The four APIs and the bare endpoint; yields the bare endpoint's URL and the APIs'
    process ids (their CPU time is counted per request)."""
    with ExitStack() as stack:
        hello_command = [sys.executable, "-m", "benchmarks.hello_app", str(PORTS["hello"])]
        stack.enter_context(background(hello_command, env, work / "hello.log"))
        wait_ready(url("hello") + "/hello")
        pids = {}
        for name in ("catalog", "listening", "recommender", "gateway"):
            command = [str(BIN / f"{name}-api")]
            pids[name] = stack.enter_context(background(command, env, work / f"{name}.log")).pid
            wait_ready(url(name) + "/ready")
        yield url("hello"), pids


def drop_response_caches() -> None:
    """Every service's and the gateway's cached answers gone (the published model and the
    rate-limit counters stay: a cold cache, not a stack without a model)."""
    client = redis.Redis.from_url(REDIS_URL)
    for pattern in ("cache:*", "gateway:cache:*"):
        keys = list(client.scan_iter(match=pattern, count=1000))
        for start in range(0, len(keys), 1000):
            client.delete(*keys[start : start + 1000])
    client.close()


def run_mode(
    work: Path, label: str, plan: list[Route], *, cache: bool, workers: int, connections: int = 32
) -> list[dict[str, Any]]:
    env = stack_env(work, gateway_cache=cache, gateway_workers=workers)
    results = []
    with services(work, env) as (hello, pids):
        for route in plan:
            if not cache:
                drop_response_caches()
            if cache:
                failed = ask_each_once(sorted(set(route.paths)))
                if failed:
                    raise RuntimeError(f"{failed} non-200 answers warming {route.name}")
            load = wait_for_quiet_machine(f"{label}: {route.name}")
            result = measure(route, hello, pids, connections=connections)
            result.update(mode=label, load_1min=load, gateway_workers=workers)
            results.append(result)
            print(summary_line(result), flush=True)
    return results


def summary_line(result: dict[str, Any]) -> str:
    measured = result["measured"]
    failed = [name for name, outcome in result["checks"].items() if outcome != "pass"]
    return (
        f"{result['mode']:<28} {result['route']:<36} {measured['requests_per_second']:>8.0f} req/s "
        f"{result['ratio_to_bare']:>6.1%} of bare  p50 {measured['p50_ms']:>6.1f}  "
        f"p99 {measured['p99_ms']:>7.1f} ms  errors {measured['errors']}  CPU ms/request "
        + " ".join(f"{name} {ms:.2f}" for name, ms in result["cpu_ms_per_request"].items())
        + (f"  MISS: {', '.join(failed)}" if failed else "")
    )


@dataclass(frozen=True)
class Pass:
    """One pass of the benchmark: its routes measured in one cache state and gateway size."""

    label: str
    cache: bool
    workers: int = 1
    connections: int = 32
    routes: str = "all"  # "all", "with hot ids" (cold pass) or "first three" (the knee)


PASSES = {
    "cold": Pass("cold, 1 gateway process", cache=False, routes="with hot ids"),
    "warm": Pass("warm, 1 gateway process", cache=True),
    "c128": Pass("cold, 1 process, 128 conns", cache=False, connections=128, routes="first three"),
    "cold2": Pass("cold, 2 gateway processes", cache=False, workers=2),
    "warm2": Pass("warm, 2 gateway processes", cache=True, workers=2),
}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="the cold pass only (--passes cold)")
    parser.add_argument(
        "--passes",
        default=",".join(PASSES),
        help=f"comma-separated passes to run, in order (default: all of {', '.join(PASSES)})",
    )
    args = parser.parse_args(argv)
    names = ["cold"] if args.quick else [name.strip() for name in args.passes.split(",")]
    unknown = sorted(set(names) - set(PASSES))
    if unknown:
        parser.error(f"unknown pass {', '.join(unknown)}; choose from {', '.join(PASSES)}")
    require_wrk()
    rng = random.Random(args.seed)
    output: dict[str, Any] = {"passes": names, "results": []}
    with tempfile.TemporaryDirectory(prefix="bench-user-paths-") as tmp:
        work = Path(tmp)
        redis.Redis.from_url(REDIS_URL).flushdb()
        import_data(real_data_dir(), work)
        env = stack_env(work, gateway_cache=False, gateway_workers=1)
        migrate = [str(BIN / "soundstream-admin"), "migrate"]
        subprocess.run(migrate, env=env, check=True, capture_output=True)
        with services(work, env):
            output["model_version"] = train(env, work).get("version")
        plan = routes(work, rng)
        selections = {
            "all": plan,
            "with hot ids": [*plan, *hot_routes(plan)],
            "first three": plan[:3],
        }
        for name in names:
            run = PASSES[name]
            output["results"] += run_mode(
                work,
                run.label,
                selections[run.routes],
                cache=run.cache,
                workers=run.workers,
                connections=run.connections,
            )
            path = save("user_paths", output)  # after each pass: an interrupted run keeps its part
    print(f"saved {path}")
    return output


if __name__ == "__main__":
    main()
