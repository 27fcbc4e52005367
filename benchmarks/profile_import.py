"""Where the import's time goes: ``cProfile`` of ``run_import`` on the real data.

``python -m benchmarks.profile_import [sqlite|postgresql]`` prints the top entries by own
time and by cumulative time and writes them to ``var/benchmarks/profile_import_<backend>.txt``.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import sys
import tempfile

from benchmarks.env import RESULTS_DIR, real_data_dir
from benchmarks.import_postgres import fresh_databases
from soundstream_admin.importing import run_import

TOP = 25


def profile(backend: str) -> str:
    """Profile one import into fresh databases of ``backend``; the formatted statistics."""
    profiler = cProfile.Profile()
    with tempfile.TemporaryDirectory() as tmp:
        if backend == "sqlite":
            targets = {
                "catalog": f"sqlite:///{tmp}/catalog.db",
                "listening": f"sqlite:///{tmp}/listening.db",
            }
            profiler.runcall(run_import, real_data_dir(), targets, progress=False)
        else:
            with fresh_databases() as (catalog, listening):
                targets = {"catalog": catalog, "listening": listening}
                profiler.runcall(run_import, real_data_dir(), targets, progress=False)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("tottime").print_stats(TOP)
    stats.sort_stats("cumulative").print_stats(TOP)
    return out.getvalue()


def main() -> None:
    backend = sys.argv[1] if len(sys.argv) > 1 else "sqlite"
    text = profile(backend)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / f"profile_import_{backend}.txt").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
