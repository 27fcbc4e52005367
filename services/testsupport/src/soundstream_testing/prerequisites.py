"""What a test needs from the machine (the real data set, Chromium, Graphviz): missing, the test is
skipped on a developer's machine, saying what to install, and fails under CI (``CI=true``),
which provides everything: a broken set-up never passes silently there."""

from __future__ import annotations

import os
import shutil
from typing import NoReturn

import pytest


def missing_prerequisite(reason: str) -> NoReturn:
    """Skip the test (fail it under CI) because ``reason``."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def require_program(program: str, package: str) -> None:
    """The test needs ``program`` on the PATH (Debian's ``package`` installs it)."""
    if shutil.which(program) is None:
        missing_prerequisite(f"{program} is not installed (Debian: apt-get install {package})")
