"""Each image's environment, rebuilt here as the Dockerfile builds it (`uv sync --frozen
--no-dev --no-editable --package <pkg> [--extra <extra>]` from the build context alone, the
extra the stack file gives the package's processes), starts every process
of its service: a dependency a package uses but does not declare would break only its image,
so it is caught here, without Docker."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from soundstream_admin.stack import find_stack_file, load_stack

REPO = Path(__file__).resolve().parents[2]
STACK = load_stack(find_stack_file())
PACKAGES = sorted({spec.package for spec in STACK if spec.package} | {"soundstream-admin"})
# The extra each package's image installs too (the Dockerfile's EXTRA build argument).
EXTRAS = {spec.package: spec.extra for spec in STACK if spec.package and spec.extra}
# uv as the Makefile finds it: on PATH, else the copy `make` installs into .tools/.
UV = shutil.which("uv") or str(REPO / ".tools" / "bin" / "uv")
IGNORED = shutil.ignore_patterns(
    "tests", "__pycache__", "*.pyc", ".venv", ".mypy_cache", ".ruff_cache", ".pytest_cache"
)

# Loads every console script of the package (each process's entry point) and, where the
# image has them, what the migration step and the health check import.
CHECK = """
import importlib.metadata as md, sys
package = sys.argv[1]
scripts = [ep for ep in md.entry_points(group="console_scripts")
           if ep.dist is not None and ep.dist.name == package]
assert scripts, f"{package} has no console scripts"
for ep in scripts:
    ep.load()
print(" ".join(sorted(ep.name for ep in scripts)))
"""


@pytest.fixture(scope="module")
def build_context(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What the Dockerfile copies into its build stage."""
    context = tmp_path_factory.mktemp("context")
    for name in ("pyproject.toml", "uv.lock", "README.md"):
        shutil.copy2(REPO / name, context / name)
    for folder in ("services", "sdk"):
        shutil.copytree(REPO / folder, context / folder, ignore=IGNORED)
    return context


@pytest.fixture
def venv(tmp_path: Path) -> Iterator[Path]:
    """Where the image's environment goes; removed afterwards (hundreds of MB)."""
    path = tmp_path / "venv"
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.mark.timeout(600)
@pytest.mark.parametrize("package", PACKAGES)
def test_the_image_environment_of_each_package_starts_its_processes(
    package: str, build_context: Path, venv: Path, tmp_path: Path
) -> None:
    env = {**os.environ, "UV_PROJECT_ENVIRONMENT": str(venv), "UV_PYTHON_DOWNLOADS": "never"}
    env.pop("VIRTUAL_ENV", None)
    sync = [UV, "sync", "--frozen", "--no-dev", "--no-editable", "--package", package]
    if package in EXTRAS:
        sync += ["--extra", EXTRAS[package]]
    sync += ["--python", sys.executable, "--quiet"]
    built = subprocess.run(sync, cwd=build_context, env=env, capture_output=True, text=True)
    assert built.returncode == 0, built.stderr[-3000:]

    python = str(venv / "bin" / "python")
    loaded = subprocess.run(
        [python, "-c", CHECK, package], cwd=tmp_path, capture_output=True, text=True
    )

    assert loaded.returncode == 0, loaded.stderr[-3000:]
    expected = {spec.command[0] for spec in STACK if spec.package == package}
    assert expected <= set(loaded.stdout.split())
    if package != "soundstream-dashboard":  # the migration step and Redis health check
        imports = "import sqlalchemy, redis, soundstream_common.db"
        check = subprocess.run([python, "-c", imports], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr[-2000:]


@pytest.mark.timeout(600)
def test_a_source_change_reaches_the_next_build_through_the_shared_cache(
    build_context: Path, tmp_path: Path
) -> None:
    """The Dockerfile's uv cache mount outlives builds: a package whose code changed (and not
    its pyproject.toml) must be built again, never taken from the cache (``cache-keys``)."""
    context = tmp_path / "context"
    shutil.copytree(build_context, context)
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    env.pop("VIRTUAL_ENV", None)
    package = context / "services" / "common" / "src" / "soundstream_common" / "__init__.py"
    marker = f"BUILD_MARK = {uuid.uuid4().hex!r}\n"

    def build(name: str) -> str:
        venv = tmp_path / name
        sync = [UV, "sync", "--frozen", "--no-dev", "--no-editable"]
        sync += ["--package", "soundstream-common", "--python", sys.executable, "--quiet"]
        built = subprocess.run(
            sync,
            cwd=context,
            env={**env, "UV_PROJECT_ENVIRONMENT": str(venv)},
            text=True,
            capture_output=True,
        )
        assert built.returncode == 0, built.stderr[-3000:]
        installed = venv / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}"
        return (installed / "site-packages" / "soundstream_common" / "__init__.py").read_text()

    assert marker not in build("before")
    package.write_text(package.read_text() + marker)

    assert marker in build("after")
