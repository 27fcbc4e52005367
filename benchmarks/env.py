"""The machine, the data paths, and small helpers shared by the benchmarks."""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
RESULTS_DIR = REPO / "var" / "benchmarks"
POSTGRES_SERVER = os.environ.get(
    "SOUNDSTREAM_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432"
)
MAX_LOAD = float(os.environ.get("SOUNDSTREAM_BENCH_MAX_LOAD", "1.5"))
MAX_WAIT_SECONDS = float(os.environ.get("SOUNDSTREAM_BENCH_MAX_WAIT", "900"))


def real_data_dir() -> Path:
    """The real HetRec files: ``SOUNDSTREAM_HETREC_DIR``, else ``<repo>/../shared/data/...``."""
    configured = os.environ.get("SOUNDSTREAM_HETREC_DIR")
    if configured:
        return Path(configured)
    return REPO.parent / "shared" / "data" / "hetrec2011-lastfm-2k"


def load_average() -> float:
    """The 1-minute load average."""
    return os.getloadavg()[0]


def wait_for_quiet_machine(label: str) -> float:
    """Wait (polling every 30 s, up to ``MAX_WAIT_SECONDS``) until the load is low enough.

    Returns the 1-minute load when the measurement starts; it is recorded with the results.
    """
    deadline = time.monotonic() + MAX_WAIT_SECONDS
    load = load_average()
    while load > MAX_LOAD and time.monotonic() < deadline:
        print(f"[{label}] load {load:.2f} > {MAX_LOAD}: waiting 30 s", file=sys.stderr)
        time.sleep(30)
        load = load_average()
    if load > MAX_LOAD:
        print(f"[{label}] load still {load:.2f}: measuring anyway", file=sys.stderr)
    return load


def _first_line(command: Sequence[str]) -> str:
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=10)
    except OSError:
        return "not installed"
    return (
        (result.stdout or result.stderr).strip().splitlines()[0]
        if result.stdout or result.stderr
        else ""
    )


def machine() -> dict[str, Any]:
    """CPU model, cores, RAM and software versions of this machine."""
    cpu = "unknown"
    with Path("/proc/cpuinfo").open() as handle:
        for line in handle:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with Path("/proc/meminfo").open() as handle:
        total_kb = int(handle.readline().split()[1])
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gib": round(total_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "sqlite_library": sqlite3.sqlite_version,
        "sqlite3_cli": _first_line(["sqlite3", "--version"]).split(" ")[0],
        "postgresql": _first_line(["psql", "--version"]),
        "wrk": _first_line(["wrk", "--version"]),
    }


def median(values: Sequence[float]) -> float:
    """Median of the measured values."""
    return statistics.median(values)


@dataclass
class Timed:
    """Wall time and peak resident set size (KiB, largest process of the tree) of a command."""

    seconds: float
    peak_rss_kib: int
    returncode: int


def run_timed(
    command: Sequence[str], env: dict[str, str] | None = None, log: Path | None = None
) -> Timed:
    """Run ``command``, return its wall time and the peak RSS reported by ``wait4``."""
    out = log.open("wb") if log else subprocess.DEVNULL
    try:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
    finally:
        if log:
            out.close()  # type: ignore[union-attr]
    return Timed(seconds, usage.ru_maxrss, process.returncode)


def save(name: str, results: dict[str, Any]) -> Path:
    """Write ``results`` (with the machine description) to ``var/benchmarks/<name>.json``."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    payload = {
        "machine": machine(),
        "finished_at": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        **results,
    }
    path.write_text(json.dumps(payload, indent=2) + "\n")
    return path


def verdict(measured: float, limit: float, *, at_least: bool = False) -> str:
    """``pass`` when ``measured`` is within the limit (``≥`` if ``at_least``, else ``≤``)."""
    ok = measured >= limit if at_least else measured <= limit
    return "pass" if ok else "MISS"
