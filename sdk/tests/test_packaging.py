"""The distribution builds as it would for PyPI, and ``twine check`` accepts it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from soundstream import __version__

SDK_DIR = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    uv = shutil.which("uv")
    assert uv, "the SDK is built with uv (`uv build`), as `make publish` does"
    command = [uv, "build", "--out-dir", str(out), str(SDK_DIR)]
    subprocess.run(command, check=True, capture_output=True, timeout=240)
    (out / ".gitignore").unlink(missing_ok=True)  # uv's marker for a build directory
    return out


@pytest.mark.packaging
def test_build_makes_a_wheel_and_an_sdist_named_by_the_one_version(dist: Path) -> None:
    names = sorted(p.name for p in dist.iterdir())
    assert names == [
        f"soundstream_sdk-{__version__}-py3-none-any.whl",
        f"soundstream_sdk-{__version__}.tar.gz",
    ]


@pytest.mark.packaging
def test_twine_check_passes(dist: Path) -> None:
    files = [str(p) for p in dist.iterdir()]
    result = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *files],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.packaging
def test_wheel_ships_types_the_cli_and_the_readme(dist: Path) -> None:
    wheel = next(dist.glob("*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        info = f"soundstream_sdk-{__version__}.dist-info"
        metadata = archive.read(f"{info}/METADATA").decode()
        entry_points = archive.read(f"{info}/entry_points.txt").decode()
    assert "soundstream/py.typed" in names
    assert "soundstream/resources/artists.py" in names
    assert not any(name.startswith(("tests/", "soundstream/tests")) for name in names)
    assert "soundstream = soundstream.cli:main" in entry_points
    assert f"Version: {__version__}" in metadata
    assert "Provides-Extra: pandas" in metadata
    assert "Provides-Extra: cli" in metadata
    assert "Requires-Dist: rich>=13.9; extra == 'cli'" in metadata  # never without the extra
    assert "client.artists.list" in metadata  # the README is the long description
    sdist = next(dist.glob("*.tar.gz"))
    with tarfile.open(sdist) as archive:
        members = {m.name.split("/", 1)[1] for m in archive.getmembers() if "/" in m.name}
    assert {"README.md", "CHANGELOG.md", "pyproject.toml", "src/soundstream/_version.py"} <= members
