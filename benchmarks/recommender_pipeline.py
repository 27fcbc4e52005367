"""The recommender's training pipeline, end to end (snapshot -> publish), on a real worker.

The data set is imported into fresh SQLite files, listening-api serves its export and
``recommender-worker`` (2 processes) runs one forced retrain; measured: wall time from the
request to the published result, per-step task times (from the worker's log) and the peak
resident memory of the worker's process tree.

    uv run python -m benchmarks.recommender_pipeline                     # the real data
    uv run python -m benchmarks.recommender_pipeline --data-dir DIR --label x50 --limit 600

Targets (ISSUE 4): real data <= 60 s; synthetic x50 <= 10 min with peak RSS <= 6 GB.
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import sys
import tempfile
from contextlib import closing
from pathlib import Path
from typing import Any

from benchmarks.env import load_average, real_data_dir, save, verdict, wait_for_quiet_machine
from benchmarks.recommender_stack import import_data, retrain, training_stack

TASK_LINE = re.compile(r"Task (recommender\.[\w.]+)\[[^\]]+\] succeeded in ([0-9.]+)s")


def step_seconds(log: Path) -> list[tuple[str, float]]:
    """``(task, seconds)`` of every task the worker finished, in order."""
    return [(m[1], float(m[2])) for m in TASK_LINE.finditer(log.read_text(errors="replace"))]


def published_summary(database: Path, version: str | None) -> dict[str, Any]:
    """What the run recorded for its version: test metrics per algorithm, blend weights and
    the seconds of the evaluate step's parts (empty when nothing was published)."""
    if version is None or not database.exists():
        return {}
    with closing(sqlite3.connect(database)) as connection:
        row = connection.execute(
            "SELECT summary FROM model_versions WHERE version = ?", (version,)
        ).fetchone()
    if row is None:
        return {}
    summary = json.loads(row[0])
    return {
        "weights": summary.get("weights"),
        "best_baseline": summary.get("best_baseline"),
        "evaluate_seconds": summary.get("step_seconds"),
        "test": {name: algo["test"] for name, algo in summary.get("algorithms", {}).items()},
    }


def measure(data_dir: Path, label: str, limit: float, rss_limit_gib: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-reco-") as tmp:
        work = Path(tmp)
        import_seconds = import_data(data_dir, work)
        with training_stack(work) as (env, worker):
            load_before = wait_for_quiet_machine(f"recommender pipeline {label}")
            run = retrain(env, worker)
            load_after = load_average()
        steps = step_seconds(work / "worker.log")
        model = published_summary(work / "recommender.db", run.result.get("version"))
    summary = run.result
    return {
        "label": label,
        "data_dir": str(data_dir),
        "import_seconds": import_seconds,
        "pipeline_seconds": run.seconds,
        "peak_rss_worker_tree_mib": run.peak_rss_total_mib,
        "peak_rss_largest_process_mib": run.peak_rss_single_mib,
        "task_seconds": steps,
        "steps": run.steps,
        "result": {k: summary.get(k) for k in ("status", "version", "best_baseline", "algorithm")},
        "model": model,
        "load_1min_before": load_before,
        "load_1min_after": load_after,
        "checks": {
            f"pipeline <= {limit:.0f} s": verdict(run.seconds, limit),
            f"peak RSS <= {rss_limit_gib} GiB": verdict(
                run.peak_rss_total_mib / 1024, rss_limit_gib
            ),
            "published": verdict(0 if summary.get("status") == "published" else 1, 0),
        },
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None, help="default: the real data")
    parser.add_argument("--label", default="real")
    parser.add_argument("--limit", type=float, default=60.0, help="target seconds")
    parser.add_argument("--rss-limit-gib", type=float, default=6.0)
    args = parser.parse_args(argv)
    results = measure(args.data_dir or real_data_dir(), args.label, args.limit, args.rss_limit_gib)
    print(save(f"recommender_pipeline_{args.label}", results), file=sys.stderr)
    return results


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
