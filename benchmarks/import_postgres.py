"""Import into PostgreSQL: the real data set (median of ``RUNS``) and synthetic x50 (one run).

Every run gets two fresh, empty databases on the local server (``SOUNDSTREAM_BENCH_POSTGRES``,
default ``postgresql+psycopg://postgres@127.0.0.1:5432``), dropped afterwards. The whole
``soundstream-admin import`` command is timed; its peak RSS is the ``wait4`` maximum resident
set size of the import process (it starts no child processes).
Targets (ISSUE 2 §4): real data ≤ 6 s; x50 ≤ 4 min with peak RSS ≤ 2 GB.
"""

from __future__ import annotations

import os
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg

from benchmarks.env import (
    POSTGRES_SERVER,
    REPO,
    median,
    real_data_dir,
    run_timed,
    save,
    verdict,
    wait_for_quiet_machine,
)
from benchmarks.import_sqlite import ADMIN, RUNS, import_env

X50_USERS = 94_600
X50_SEED = 1


def _admin_dsn() -> str:
    return POSTGRES_SERVER.replace("postgresql+psycopg://", "postgresql://") + "/postgres"


@contextmanager
def fresh_databases() -> Iterator[tuple[str, str]]:
    """Two new empty databases (catalog, listening) as SQLAlchemy URLs; dropped on exit."""
    names = [f"bench_{svc}_{uuid.uuid4().hex[:8]}" for svc in ("catalog", "listening")]
    with psycopg.connect(_admin_dsn(), autocommit=True) as conn:
        for name in names:
            conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{POSTGRES_SERVER}/{names[0]}", f"{POSTGRES_SERVER}/{names[1]}"
    finally:
        with psycopg.connect(_admin_dsn(), autocommit=True) as conn:
            for name in names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def import_run(data: Path, log: Path) -> tuple[float, int]:
    """One ``soundstream-admin import`` of ``data`` into fresh databases: (seconds, peak KiB)."""
    with fresh_databases() as (catalog_url, listening_url), tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = import_env(work, catalog_url, listening_url)
        command = [str(ADMIN), "import", "--data-dir", str(data), "--report", str(work / "r.json")]
        timed = run_timed(command, env=env, log=log)
        if timed.returncode != 0:
            raise RuntimeError(f"import failed, see {log}")
        return timed.seconds, timed.peak_rss_kib


def synthetic_x50() -> Path:
    """The x50 synthetic data set (generated once into ``var/benchmarks/x50``, not timed)."""
    out = Path(os.environ.get("SOUNDSTREAM_BENCH_X50_DIR", REPO / "var" / "benchmarks" / "x50"))
    if not (out / "user_friends.dat").exists():
        command = [
            str(ADMIN),
            "generate",
            "--users",
            str(X50_USERS),
            "--seed",
            str(X50_SEED),
            "--out",
            str(out),
        ]
        if run_timed(command).returncode != 0:
            raise RuntimeError("generating the x50 data set failed")
    return out


def main_real() -> dict[str, Any]:
    """The real data set into PostgreSQL, ``RUNS`` times."""
    data = real_data_dir()
    logs = Path(tempfile.mkdtemp(prefix="bench-logs-"))
    seconds: list[float] = []
    loads: list[float] = []
    for run in range(RUNS):
        loads.append(wait_for_quiet_machine(f"import postgres run {run + 1}"))
        took, _ = import_run(data, logs / f"pg-{run}.log")
        seconds.append(took)
        print(f"run {run + 1}: {took:.2f} s", file=sys.stderr)
    results: dict[str, Any] = {
        "runs": RUNS,
        "load_1min_at_start_of_runs": loads,
        "command_seconds": seconds,
        "median": median(seconds),
        "checks": {"command <= 6 s": verdict(median(seconds), 6.0)},
    }
    print(save("import_postgres", results))
    return results


def main_x50() -> dict[str, Any]:
    """Synthetic x50 into PostgreSQL, one run."""
    data = synthetic_x50()
    rows = {path.name: sum(1 for _ in path.open("rb")) - 1 for path in sorted(data.glob("*.dat"))}
    logs = Path(tempfile.mkdtemp(prefix="bench-logs-"))
    load = wait_for_quiet_machine("import postgres x50")
    seconds, peak_kib = import_run(data, logs / "x50.log")
    peak_mib = peak_kib / 1024
    results: dict[str, Any] = {
        "runs": 1,
        "users": X50_USERS,
        "seed": X50_SEED,
        "rows": rows,
        "load_1min_at_start": load,
        "command_seconds": seconds,
        "peak_rss_mib": round(peak_mib, 1),
        "checks": {
            "command <= 240 s": verdict(seconds, 240.0),
            "peak RSS <= 2048 MiB": verdict(peak_mib, 2048.0),
        },
    }
    print(save("import_postgres_x50", results))
    return results


if __name__ == "__main__":
    import json

    which = sys.argv[1] if len(sys.argv) > 1 else "all"
    if which in ("real", "all"):
        print(json.dumps(main_real(), indent=2))
    if which in ("x50", "all"):
        print(json.dumps(main_x50(), indent=2))
