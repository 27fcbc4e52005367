"""What installing and importing the operator tool costs: the tool depends on what it uses
(the catalog and listening schemas for `import`), not on the services' runtimes. Celery,
implicit and SciPy come only with the `stack` extra (the local runner starts the services)."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[3]

# Never in the admin's own closure, nor imported by its command line or its `migrate` set-up.
HEAVY = {"celery", "implicit", "scipy"}
# The service runtimes that bring them; the admin reaches their databases by entry points.
SERVICES = {"soundstream-recommender", "soundstream-analytics", "soundstream-taskgraph"}


def _lock() -> dict[str, dict[str, Any]]:
    packages = tomllib.loads((REPO / "uv.lock").read_text(encoding="utf-8"))["package"]
    return {package["name"]: package for package in packages}


def closure(root: str, extras: Iterable[str] = ()) -> set[str]:
    """Every package ``root`` (with ``extras``) installs, by uv.lock (all platforms)."""
    lock = _lock()
    seen: set[str] = set()
    todo: list[tuple[str, tuple[str, ...]]] = [(root, tuple(extras))]
    while todo:
        name, wanted = todo.pop()
        package = lock[name]
        deps = list(package.get("dependencies", []))
        for extra in wanted:
            deps += package.get("optional-dependencies", {})[extra]
        seen.add(name)
        for dep in deps:
            dep_extras = tuple(dep.get("extra", ()))
            if dep["name"] not in seen or dep_extras:
                todo.append((dep["name"], dep_extras))
    return seen


def test_the_admin_installs_no_celery_implicit_or_scipy() -> None:
    packages = closure("soundstream-admin")
    assert "soundstream-catalog" in packages
    assert "soundstream-listening" in packages
    assert not packages & (HEAVY | SERVICES), sorted(packages & (HEAVY | SERVICES))


def test_the_stack_extra_brings_every_service() -> None:
    """The walk above sees extras: the stack extra does bring the heavy runtimes."""
    packages = closure("soundstream-admin", ["stack"])
    assert packages >= HEAVY | SERVICES | {"soundstream-gateway", "soundstream-dashboard"}


def test_the_listening_service_brings_scipy_through_its_server_extra() -> None:
    assert "scipy" not in closure("soundstream-listening")
    assert "scipy" in closure("soundstream-listening", ["server"])


PROBE = """
import json, sys
import soundstream_admin.cli
import soundstream_admin.importing.command
import soundstream_admin.synthetic
import soundstream_admin.download
from soundstream_admin.services import service_databases
names = list(service_databases())
heavy = sorted({name.split(".")[0] for name in sys.modules} & set(sys.argv[1:]))
print(json.dumps({"databases": names, "heavy": heavy}))
"""


def test_the_command_line_and_the_databases_import_no_service_runtime() -> None:
    """The CLI module, the importer and every installed service's database (found by entry
    point) load without Celery, implicit or SciPy, even with every service installed."""
    modules = [*HEAVY, "kombu", "duckdb", "ibis", "pyarrow", "fastapi_offline"]
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *modules],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
        timeout=120,
    )
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe["heavy"] == []
    assert probe["databases"] == ["catalog", "listening", "recommender", "analytics", "gateway"]
