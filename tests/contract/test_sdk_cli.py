"""The installed ``soundstream`` command against the live gateway."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from soundstream_testing.stack import LiveStack

COMMAND = str(Path(sys.executable).parent / "soundstream")


def soundstream(stack: LiveStack, *args: str) -> subprocess.CompletedProcess[str]:
    env = os.environ | {
        "SOUNDSTREAM_BASE_URL": stack.url("gateway"),
        "SOUNDSTREAM_API_KEY": stack.admin_key,
        "COLUMNS": "160",
    }
    return subprocess.run(
        [COMMAND, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_cli_commands_print_tables(trained_stack: LiveStack) -> None:
    recommend = soundstream(trained_stack, "recommend", "2", "-k", "3")
    assert recommend.returncode == 0, recommend.stderr
    assert "Recommendations for user 2" in recommend.stdout
    graphs = soundstream(trained_stack, "jobs", "graphs")
    assert graphs.returncode == 0, graphs.stderr
    assert "recommender.training" in graphs.stdout
    assert "train_als" in graphs.stdout
    runs = soundstream(trained_stack, "jobs", "runs", "--limit", "3")
    assert runs.returncode == 0, runs.stderr
    assert "succeeded" in runs.stdout
    search = soundstream(trained_stack, "search", "--tag", "rock", "--limit", "3")
    assert search.returncode == 0, search.stderr
    assert "Artists tagged rock" in search.stdout
    top = soundstream(trained_stack, "top-artists", "--limit", "3")
    assert top.returncode == 0, top.stderr
    assert "Top 3 artists by plays" in top.stdout
    stats = soundstream(trained_stack, "stats", "--user", "2")
    assert stats.returncode == 0, stats.stderr
    assert "percentile" in stats.stdout


def test_cli_json_and_errors(trained_stack: LiveStack) -> None:
    overview = soundstream(trained_stack, "--json", "stats")
    assert overview.returncode == 0, overview.stderr
    assert json.loads(overview.stdout)["users"] >= 1892
    missing = soundstream(trained_stack, "stats", "--user", "2000000000")
    assert missing.returncode == 1
    assert "Error 404" in missing.stderr
    assert "request id:" in missing.stderr
