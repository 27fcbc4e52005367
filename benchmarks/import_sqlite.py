"""Import of the real data set into fresh SQLite databases, against two references.

Measured in the same run, each in fresh databases, median of ``RUNS`` runs:
- ``soundstream-admin import`` (the whole command: start-up, migrations, load, report);
- ``sqlite3``'s own ``.import`` of the same files into the same schema (see ``sqlite_cli``);
- the naive ORM script (``naive_orm``).
Targets (ISSUE 2 §4): command ≤ 3 s and ≤ 3x ``sqlite3``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import sqlite_cli
from benchmarks.env import median, real_data_dir, run_timed, save, verdict, wait_for_quiet_machine

RUNS = int(os.environ.get("SOUNDSTREAM_BENCH_RUNS", "5"))
NAIVE_RUNS = int(os.environ.get("SOUNDSTREAM_BENCH_NAIVE_RUNS", str(RUNS)))
ADMIN = Path(sys.executable).with_name("soundstream-admin")


def import_env(work: Path, catalog_url: str, listening_url: str) -> dict[str, str]:
    """Environment of an import into the given databases, Redis disabled, files under ``work``."""
    env = dict(os.environ)
    env.update(
        SOUNDSTREAM_DATA_DIR=str(work),
        CATALOG_DATABASE_URL=catalog_url,
        LISTENING_DATABASE_URL=listening_url,
        CATALOG_REDIS_URL="",
        LISTENING_REDIS_URL="",
    )
    return env


def command_run(data: Path, log: Path) -> float:
    """One ``soundstream-admin import`` into fresh SQLite files; its wall time."""
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        work = Path(tmp)
        env = import_env(work, f"sqlite:///{work}/catalog.db", f"sqlite:///{work}/listening.db")
        command = [str(ADMIN), "import", "--data-dir", str(data), "--report", str(work / "r.json")]
        timed = run_timed(command, env=env, log=log)
        if timed.returncode != 0:
            raise RuntimeError(f"import failed, see {log}")
        return timed.seconds


def sqlite3_run(data: Path) -> float:
    """One ``sqlite3`` ``.import`` into freshly migrated SQLite files; its wall time."""
    with tempfile.TemporaryDirectory(prefix="bench-sqlite3-") as tmp:
        work = Path(tmp)
        catalog_db, listening_db = work / "catalog.db", work / "listening.db"
        sqlite_cli.migrate(catalog_db, listening_db)
        tags = sqlite_cli.utf8_tags_copy(data, work)
        script = sqlite_cli.script(data, tags, listening_db)
        started = time.perf_counter()
        subprocess.run(
            ["sqlite3", "-bail", str(catalog_db)],
            input=script,
            text=True,
            check=True,
            capture_output=True,
        )
        return time.perf_counter() - started


def naive_run(data: Path, log: Path) -> float:
    """One run of the naive ORM script into fresh SQLite files; its wall time."""
    with tempfile.TemporaryDirectory(prefix="bench-naive-") as tmp:
        work = Path(tmp)
        command = [
            sys.executable,
            "-m",
            "benchmarks.naive_orm",
            f"sqlite:///{work}/catalog.db",
            f"sqlite:///{work}/listening.db",
            str(data),
        ]
        timed = run_timed(command, log=log)
        if timed.returncode != 0:
            raise RuntimeError(f"naive import failed, see {log}")
        return timed.seconds


def main() -> dict[str, Any]:
    """Run the three imports ``RUNS`` times (interleaved) and compare the medians."""
    if shutil.which("sqlite3") is None:
        raise SystemExit("sqlite3 not found: install it with `apt-get install -y sqlite3`")
    data = real_data_dir()
    logs = Path(tempfile.mkdtemp(prefix="bench-logs-"))
    command: list[float] = []
    reference: list[float] = []
    naive: list[float] = []
    loads: list[float] = []
    for run in range(max(RUNS, NAIVE_RUNS)):
        loads.append(wait_for_quiet_machine(f"import sqlite run {run + 1}"))
        if run < RUNS:
            reference.append(sqlite3_run(data))
            command.append(command_run(data, logs / f"command-{run}.log"))
        if run < NAIVE_RUNS:
            naive.append(naive_run(data, logs / f"naive-{run}.log"))
        print(
            f"run {run + 1}: command {command[-1]:.2f} s, sqlite3 {reference[-1]:.2f} s"
            + (f", naive {naive[-1]:.2f} s" if run < NAIVE_RUNS else ""),
            file=sys.stderr,
        )
    cmd, ref = median(command), median(reference)
    results: dict[str, Any] = {
        "runs": RUNS,
        "naive_runs": NAIVE_RUNS,
        "load_1min_at_start_of_runs": loads,
        "command_seconds": command,
        "sqlite3_seconds": reference,
        "naive_orm_seconds": naive,
        "median": {"command": cmd, "sqlite3": ref, "naive_orm": median(naive) if naive else None},
        "ratio_command_to_sqlite3": cmd / ref,
        "ratio_naive_to_command": median(naive) / cmd if naive else None,
        "checks": {
            "command <= 3 s": verdict(cmd, 3.0),
            "command <= 3x sqlite3": verdict(cmd / ref, 3.0),
        },
    }
    print(save("import_sqlite", results))
    return results


if __name__ == "__main__":
    import json

    print(json.dumps(main(), indent=2))
