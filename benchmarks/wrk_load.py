"""Running ``wrk`` against a loopback URL for a bounded time and reading its results."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

THREADS = 2
CONNECTIONS = 32
WARMUP_SECONDS = 2
SECONDS = 10

# Printed by wrk's done() hook: latency percentiles (microseconds) and error counts.
REPORT = """
done = function(summary, latency, requests)
  for _, p in ipairs({50, 90, 95, 99}) do
    io.write(string.format("PCT %d %d\\n", p, latency:percentile(p)))
  end
  local e = summary.errors
  io.write(string.format("ERRORS %d\\n", e.connect + e.read + e.write + e.status + e.timeout))
end
"""


@dataclass
class LoadResult:
    """Throughput and latency (ms) of one bounded ``wrk`` run."""

    url: str
    requests_per_second: float
    p50_ms: float
    p90_ms: float
    p95_ms: float
    p99_ms: float
    errors: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def require_wrk() -> str:
    """The ``wrk`` executable, or exit saying how to install it."""
    path = shutil.which("wrk")
    if path is None:
        raise SystemExit("wrk not found: install it with `sudo apt-get install -y wrk`")
    return path


def rotating_paths(prefix: str, ids: list[int], suffix: str = "") -> str:
    """Lua for requests cycling through ``prefix{id}suffix`` for every id."""
    table = ",".join(str(i) for i in ids)
    return (
        f"local ids = {{{table}}}\nlocal n = 0\n"
        "request = function()\n  n = n % #ids + 1\n"
        f'  return wrk.format(nil, "{prefix}" .. ids[n] .. "{suffix}")\nend\n'
    )


def rotating_requests(paths: list[str], headers: dict[str, str] | None = None) -> str:
    """Lua for requests cycling through ``paths`` (in the order given), with ``headers``."""
    table = ",".join(f'"{path}"' for path in paths)
    set_headers = "".join(
        f'wrk.headers["{name}"] = "{value}"\n' for name, value in (headers or {}).items()
    )
    return (
        f"{set_headers}local paths = {{{table}}}\nlocal n = 0\n"
        "request = function()\n  n = n % #paths + 1\n"
        "  return wrk.format(nil, paths[n])\nend\n"
    )


def run_wrk(
    url: str,
    lua: str = "",
    seconds: int = SECONDS,
    *,
    threads: int = THREADS,
    connections: int = CONNECTIONS,
    after_warmup: Callable[[], None] | None = None,
) -> LoadResult:
    """Warm up for ``WARMUP_SECONDS``, then load ``url`` for ``seconds`` and parse the output
    (``after_warmup`` is called between the two)."""
    if not url.startswith(("http://127.0.0.1:", "http://localhost:")):
        raise ValueError("only loopback addresses are loaded")
    wrk = require_wrk()
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua + REPORT)
    base = [wrk, f"-t{threads}", f"-c{connections}", "--timeout", "5s", "-s", script.name]
    timeout = seconds + 30
    subprocess.run(
        [*base, f"-d{WARMUP_SECONDS}s", url], capture_output=True, check=True, timeout=timeout
    )
    if after_warmup is not None:
        after_warmup()
    done = subprocess.run(
        [*base, "--latency", f"-d{seconds}s", url],
        capture_output=True,
        text=True,
        check=True,
        timeout=timeout,
    )
    Path(script.name).unlink()
    out = done.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    pct = {int(p): int(us) / 1000 for p, us in re.findall(r"PCT (\d+) (\d+)", out)}
    errors = int(re.search(r"ERRORS (\d+)", out).group(1))  # type: ignore[union-attr]
    return LoadResult(url, rps, pct[50], pct[90], pct[95], pct[99], errors)
