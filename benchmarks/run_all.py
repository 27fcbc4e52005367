"""Run every benchmark in turn and print a summary of the checks (``make bench``).

Environment: ``SOUNDSTREAM_BENCH_RUNS`` (default 5), ``SOUNDSTREAM_BENCH_NAIVE_RUNS``,
``SOUNDSTREAM_BENCH_MAX_LOAD`` (default 1.5) and ``SOUNDSTREAM_BENCH_MAX_WAIT`` (seconds,
default 900) for the wait before each measurement, ``SOUNDSTREAM_BENCH_SKIP`` (comma-separated
names among sqlite, postgres, x50, profile, http, analytics).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from benchmarks import analytics_warehouse, http_api, import_postgres, import_sqlite, profile_import
from benchmarks.env import RESULTS_DIR, machine


def _profile() -> dict[str, Any]:
    text = profile_import.profile("sqlite")
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / "profile_import_sqlite.txt").write_text(text)
    return {"checks": {}}


BENCHMARKS: dict[str, Callable[[], dict[str, Any]]] = {
    "sqlite": import_sqlite.main,
    "postgres": import_postgres.main_real,
    "x50": import_postgres.main_x50,
    "profile": _profile,
    "http": http_api.main,
    "analytics": analytics_warehouse.main,
}


def main() -> None:
    skip = {name.strip() for name in os.environ.get("SOUNDSTREAM_BENCH_SKIP", "").split(",")}
    print("machine:", machine())
    summary: list[str] = []
    for name, run in BENCHMARKS.items():
        if name in skip:
            continue
        results = run()
        for row in results.get("results", [results]):
            prefix = f"{name} {row.get('mode', '')} {row.get('endpoint', '')}".strip()
            summary += [f"{prefix}: {check}: {outcome}" for check, outcome in row["checks"].items()]
    print("\n".join(summary))
    print(f"results in {RESULTS_DIR}")


if __name__ == "__main__":
    main()
