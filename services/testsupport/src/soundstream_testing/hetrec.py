"""pytest plugin: the real HetRec 2011 data set (``hetrec_dir``), skipped where it is absent
(failed under CI, which has it)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from soundstream_testing.prerequisites import missing_prerequisite


def hetrec_data_dir() -> Path:
    """The real HetRec 2011 files: ``$SOUNDSTREAM_HETREC_DIR``, else ``../shared/data/...``
    beside the checkout (where CI puts them)."""
    configured = os.environ.get("SOUNDSTREAM_HETREC_DIR")
    if configured:
        return Path(configured)
    repo = Path(__file__).resolve().parents[4]
    return repo.parent / "shared" / "data" / "hetrec2011-lastfm-2k"


def require_hetrec(path: Path, files: tuple[str, ...] = ("artists.dat",)) -> None:
    """Skip a real-data test when the files are absent, except in CI, where it fails: CI has
    the data, so a missing copy is a broken set-up, not a reason to pass silently."""
    missing = [name for name in files if not (path / name).is_file()]
    if not missing:
        return
    missing_prerequisite(
        f"the HetRec 2011 data set is not at {path} (missing {', '.join(missing)})"
    )


@pytest.fixture(scope="session")
def hetrec_dir() -> Path:
    """The real data set's directory (see :func:`require_hetrec` for when it is absent)."""
    path = hetrec_data_dir()
    require_hetrec(path)
    return path
