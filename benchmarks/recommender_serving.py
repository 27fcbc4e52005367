"""Serving a precomputed recommendation, beside a bare FastAPI endpoint in the same run.

The real data set is imported, one retrain publishes a model (a real worker), then
``recommender-api`` (one uvicorn worker, Redis on) and the bare ``hello_app`` are started the
same way and loaded with ``wrk`` (2 threads, 32 connections, 2 s warm-up, 10 s measured):
the bare endpoint, then ``GET /recommendations/users/{id}?k=10`` cycling through 2,000 users
(with and without ``explain=true``), for ``--rounds`` rounds.

    uv run python -m benchmarks.recommender_serving

Target (ISSUE 4): >= 40% of the bare endpoint's requests/s, p99 <= 20 ms at 32 connections.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.env import real_data_dir, save, verdict, wait_for_quiet_machine
from benchmarks.processes import background, wait_ready
from benchmarks.recommender_stack import (
    BIN,
    RECOMMENDER_PORT,
    import_data,
    retrain,
    training_stack,
)
from benchmarks.wrk_load import CONNECTIONS, LoadResult, require_wrk, rotating_paths, run_wrk

HELLO_PORT = 18294
CASES = {"plain": "?k=10", "explained": "?k=10&explain=true"}


def judge(
    round_no: int, case: str, load: float, bare: LoadResult, served: LoadResult
) -> dict[str, Any]:
    ratio = served.requests_per_second / bare.requests_per_second
    return {
        "round": round_no,
        "case": case,
        "load_1min": load,
        "bare": bare.as_dict(),
        "measured": served.as_dict(),
        "ratio_to_bare": ratio,
        "checks": {
            "req/s >= 40% of bare": verdict(ratio, 0.40, at_least=True),
            "p99 <= 20 ms": verdict(served.p99_ms, 20.0),
            "no errors": verdict(served.errors, 0),
        },
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    require_wrk()
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-reco-serving-") as tmp:
        work = Path(tmp)
        import_data(real_data_dir(), work)
        with sqlite3.connect(work / "listening.db") as conn:
            users = [
                int(row[0])
                for row in conn.execute(
                    "SELECT DISTINCT user_id FROM listens ORDER BY random() LIMIT 2000"
                )
            ]
        with training_stack(work) as (env, worker):
            published = retrain(env, worker).result
            hello = [sys.executable, "-m", "benchmarks.hello_app", str(HELLO_PORT)]
            with (
                background([str(BIN / "recommender-api")], env, work / "api.log"),
                background(hello, env, work / "hello.log"),
            ):
                base = f"http://127.0.0.1:{RECOMMENDER_PORT}"
                wait_ready(base + "/ready")
                wait_ready(f"http://127.0.0.1:{HELLO_PORT}/hello")
                for round_no in range(1, args.rounds + 1):
                    for case, query in CASES.items():
                        load = wait_for_quiet_machine(f"recommender serving {case}")
                        bare = run_wrk(f"http://127.0.0.1:{HELLO_PORT}/hello")
                        lua = rotating_paths("/recommendations/users/", users, query)
                        served = run_wrk(base + "/recommendations/users/", lua)
                        rows.append(judge(round_no, case, load, bare, served))
                        print(
                            f"{case}: {served.requests_per_second:.0f} req/s "
                            f"(bare {bare.requests_per_second:.0f}), p99 {served.p99_ms:.1f} ms",
                            file=sys.stderr,
                        )
    results = {
        "connections": CONNECTIONS,
        "model_version": published.get("version"),
        "results": rows,
    }
    print(save("recommender_serving", results), file=sys.stderr)
    return results


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
