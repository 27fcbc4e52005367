"""Every example of the READMEs runs as written against a fresh stack, and leaves the data set
as it was.

The stack is ``make dev``'s on free ports with the real data and a trained model (its own:
the SDK README retrains, and a loaded machine gets a generous lost-task delay so a slow
training step is not declared dead); the only
changes made to the examples' text are the stack's address (the examples say
``http://127.0.0.1:8000``) and its admin key (they say ``"..."`` or ``"sk-..."``). The SDK
README's snippets share one namespace, in order (later ones use what earlier ones imported),
with ``client`` made as its Quick start makes it; the command-line examples run the installed
``soundstream`` with ``SOUNDSTREAM_BASE_URL`` and ``SOUNDSTREAM_API_KEY`` set, as the
README's ``export`` line does.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from soundstream import SoundStream
from soundstream_testing.stack import (
    DEFAULT_STACK_REDIS_URL,
    LiveStack,
    running_stack,
    train_first_model,
)

REPO = Path(__file__).resolve().parents[2]
READMES = {"README.md": REPO / "README.md", "sdk/README.md": REPO / "sdk" / "README.md"}
FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.MULTILINE | re.DOTALL)
DOCUMENTED_URL = "http://127.0.0.1:8000"
DOCUMENTED_KEYS = re.compile(r'api_key="(?:\.\.\.|sk-\.\.\.)"')
BIN = Path(sys.executable).parent
REDIS_DB = 8  # of the stack tests' Redis server: beside the shared live stack's database
SLOW_MACHINE = {"RECOMMENDER_JOB_LOST_AFTER_SECONDS": "300"}


def blocks(readme: str, language: str) -> list[tuple[int, str]]:
    """(line, code) of each fenced block of ``language``, in order."""
    text = READMES[readme].read_text(encoding="utf-8")
    return [
        (text[: match.start()].count("\n") + 1, match.group(2))
        for match in FENCE.finditer(text)
        if match.group(1) == language
    ]


def as_run_here(code: str, stack: LiveStack) -> str:
    gateway = stack.url("gateway")
    return DOCUMENTED_KEYS.sub(
        f'api_key="{stack.admin_key}"', code.replace(DOCUMENTED_URL, gateway)
    )


def command_lines(readme: str) -> list[tuple[int, str]]:
    """The ``soundstream`` command lines of the README's shell examples."""
    found = []
    for line, code in [*blocks(readme, "bash"), *blocks(readme, "console")]:
        for offset, text in enumerate(code.splitlines()):
            command = text.removeprefix("$ ").split("  #")[0].strip()
            command = command.removeprefix("uv run ")
            if command.startswith("soundstream "):
                found.append((line + 1 + offset, command))
    return found


def user_data(client: SoundStream, user_id: int) -> dict[str, Any]:
    """What the data set holds about one real user, as the API answers it."""
    return {
        "listens": sorted((x.artist_id, x.weight) for x in client.listens.list(user_id)),
        "friends": sorted(friend.id for friend in client.friends.list(user_id)),
        "assignments": sorted(
            (a.artist_id, a.tag_id, a.timestamp_ms)
            for a in client.tags.assignments(user_id=user_id)
        ),
    }


@pytest.fixture(scope="module")
def examples_stack(
    tmp_path_factory: pytest.TempPathFactory, hetrec_dir: Path
) -> Iterator[LiveStack]:
    shared = os.environ.get("SOUNDSTREAM_TEST_STACK_REDIS_URL", DEFAULT_STACK_REDIS_URL)
    redis_url = shared.rsplit("/", 1)[0] + f"/{REDIS_DB}"
    root = tmp_path_factory.mktemp("readme-stack")
    with running_stack(root, hetrec_dir, redis_url, extra=SLOW_MACHINE) as stack:
        train_first_model(stack)
        yield stack


@pytest.fixture
def stack_client(examples_stack: LiveStack, monkeypatch: pytest.MonkeyPatch) -> SoundStream:
    monkeypatch.setenv("SOUNDSTREAM_BASE_URL", examples_stack.url("gateway"))
    monkeypatch.setenv("SOUNDSTREAM_API_KEY", examples_stack.admin_key)
    return SoundStream(base_url=examples_stack.url("gateway"), api_key=examples_stack.admin_key)


@pytest.mark.timeout(1800)
def test_every_python_example_runs_and_the_data_set_is_left_as_it_was(
    examples_stack: LiveStack, stack_client: SoundStream, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    before = {user: user_data(stack_client, user) for user in (2, 275)}
    ran = []
    for readme in READMES:
        namespace: dict[str, Any] = {"__name__": "__readme__"}
        for line, code in blocks(readme, "python"):
            # The reader's open client (an example that makes and closes its own, as the Quick
            # start does with `with`, leaves the reader's as it was).
            namespace["client"] = stack_client
            try:
                exec(
                    compile(as_run_here(code, examples_stack), f"{readme}:{line}", "exec"),
                    namespace,
                )
            except Exception as exc:
                pytest.fail(f"the example at {readme}:{line} failed: {exc!r}\n{code}")
            ran.append(f"{readme}:{line}")

    assert len(ran) == len(blocks("README.md", "python")) + len(blocks("sdk/README.md", "python"))
    assert {user: user_data(stack_client, user) for user in (2, 275)} == before


@pytest.mark.timeout(1800)
def test_every_command_line_example_runs(
    examples_stack: LiveStack, stack_client: SoundStream, tmp_path: Path
) -> None:
    run_id = next(iter(stack_client.jobs.runs(graph="recommender.training", limit=1))).id
    commands = [*command_lines("README.md"), *command_lines("sdk/README.md")]
    assert len(commands) >= 10
    for line, command in commands:
        argv = shlex.split(as_run_here(command.replace("<run id>", run_id), examples_stack))
        done = subprocess.run(
            [str(BIN / argv[0]), *argv[1:]],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert done.returncode == 0, f"line {line}: {command}\n{done.stdout}\n{done.stderr}"
