"""The Celery app module reads no settings at import: only ``app`` does, on first use."""

from __future__ import annotations

import os
import subprocess
import sys


def _python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_importing_the_celery_app_module_reads_no_settings() -> None:
    broken = {"RECOMMENDER_PORT": "not a port"}  # any read of the settings fails
    imported = _python("import recommender.training.celery_app", **broken)
    assert imported.returncode == 0, imported.stderr
    used = _python("import recommender.training.celery_app as m; m.app", **broken)
    assert used.returncode != 0
    assert "port" in used.stderr.lower()
