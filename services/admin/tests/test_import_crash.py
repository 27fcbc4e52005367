"""A kill at any moment of an import leaves every database as before it, or every one as after.

The import runs in a forked child that counts the lines it executes in the importer's own
modules and kills itself (SIGKILL: no clean-up, no rollback by Python) at a chosen one. The
sweep spreads kill points over the whole run and takes every line of its commit phase, where
the two databases' commits happen. After each kill, recovery (what the next import or
``soundstream-admin migrate`` runs first) must leave both databases exactly as before the run
or exactly as after an uninterrupted one.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import uuid
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
from sqlalchemy import create_engine, make_url, text
from typer.testing import CliRunner

from soundstream_admin.cli import app
from soundstream_admin.importing import journal, run_import

Dump = Callable[[Mapping[str, str]], dict[str, Any]]
IMPORTER = str(Path(journal.__file__).parent)
PIPELINE = str(Path(journal.__file__).parent / "pipeline.py")
SPREAD = 14  # kill points spread evenly over the whole run


def changed_files(files: dict[str, str]) -> dict[str, str]:
    """The small data set, edited: every imported table of both databases changes."""
    edited = dict(files)
    edited["artists.dat"] = files["artists.dat"].replace("MALICE MIZER", "Malice Mizer") + (
        "7\tNew Band\thttp://www.last.fm/music/New+Band\t\n"
    )
    edited["tags.dat"] = files["tags.dat"] + "4\tjazz\n"
    edited["user_artists.dat"] = files["user_artists.dat"].replace("3\t1\t7\n", "") + "8\t7\t5\n"
    edited["user_taggedartists.dat"] = files["user_taggedartists.dat"] + "8\t7\t4\t2\t3\t2010\n"
    edited["user_friends.dat"] = files["user_friends.dat"].replace("2\t4\n4\t2\n", "")
    return edited


class Databases:
    """Copies of one pair of databases in a known state, one fresh pair per kill."""

    def __init__(self, original: Mapping[str, str], tmp_path: Path) -> None:
        self.original = dict(original)
        self.tmp_path = tmp_path
        self.drops: list[Callable[[], None]] = []

    def copy(self) -> dict[str, str]:
        return {name: self._copy(url) for name, url in self.original.items()}

    def _copy(self, url: str) -> str:
        parsed = make_url(url)
        suffix = uuid.uuid4().hex[:8]
        if parsed.get_backend_name() == "sqlite":
            source = Path(str(parsed.database))
            target = self.tmp_path / f"{source.stem}_{suffix}.db"
            shutil.copyfile(source, target)
            return f"sqlite:///{target}"
        name = f"{parsed.database}_{suffix}"
        server = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with server.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{parsed.database}"'))

        def drop() -> None:
            with server.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            server.dispose()

        self.drops.append(drop)
        return parsed.set(database=name).render_as_string(hide_password=False)

    def close(self) -> None:
        for drop in self.drops:
            drop()


@pytest.fixture
def databases(
    small_dataset: Path, import_targets: dict[str, str], tmp_path: Path
) -> Iterator[Databases]:
    """Both databases holding the small data set, ready to be copied."""
    run_import(small_dataset, import_targets, progress=False)
    copies = Databases(import_targets, tmp_path)
    yield copies
    copies.close()


def run_killed(
    source: Path, targets: Mapping[str, str], kill_at: int | None
) -> tuple[int, list[int]]:
    """Import ``source`` with ``--replace`` in a child killed at its ``kill_at``-th line.

    Returns the child's exit status and, for a run not killed, the number of lines it ran
    followed by the positions of the commit phase's lines (the pipeline's, from its first
    commit on).
    """
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through its exit status and pipe
        os.close(read_end)
        code = 1
        try:
            count = 0
            commit_phase: list[int] = []

            def local(frame: FrameType, event: str, arg: object) -> Any:
                nonlocal count
                if event == "line":
                    count += 1
                    if count == kill_at:
                        os.kill(os.getpid(), signal.SIGKILL)
                    if frame.f_code.co_filename == PIPELINE and (
                        commit_phase or "commit()" in _source_line(frame)
                    ):
                        commit_phase.append(count)
                return local

            def calls(frame: FrameType, event: str, arg: object) -> Any:
                return local if frame.f_code.co_filename.startswith(IMPORTER) else None

            sys.settrace(calls)
            run_import(source, targets, replace=True, progress=False)
            sys.settrace(None)
            os.write(write_end, " ".join(map(str, [count, *commit_phase])).encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        output = pipe.read().decode()
    _, status = os.waitpid(pid, 0)
    numbers = [int(number) for number in output.split()]
    return status, numbers


_LINES: dict[str, list[str]] = {}


def _source_line(frame: FrameType) -> str:
    path = frame.f_code.co_filename
    if path not in _LINES:
        _LINES[path] = Path(path).read_text(encoding="utf-8").splitlines()
    return _LINES[path][frame.f_lineno - 1]


def test_a_kill_at_any_point_leaves_all_databases_before_or_all_after(
    databases: Databases,
    small_files: dict[str, str],
    dataset_writer: Callable[[Path, Mapping[str, str | bytes]], Path],
    dump: Dump,
    tmp_path: Path,
) -> None:
    new_data = dataset_writer(tmp_path / "new", changed_files(small_files))
    before = dump(databases.original)
    reference = databases.copy()
    status, numbers = run_killed(new_data, reference, kill_at=None)
    assert status == 0
    total, commit_phase = numbers[0], numbers[1:]
    after = dump(reference)
    assert after != before
    assert commit_phase, "the commit phase was not traced"

    points = sorted(
        {1 + (total - 1) * step // (SPREAD - 1) for step in range(SPREAD)} | set(commit_phase)
    )
    outcomes: dict[int, str] = {}
    for point in points:
        targets = databases.copy()
        status, _ = run_killed(new_data, targets, kill_at=point)
        assert os.WIFSIGNALED(status), f"the run ended before line {point} of {total}"
        assert os.WTERMSIG(status) == signal.SIGKILL

        journal.recover_databases(targets)

        state = dump(targets)
        assert state in (before, after), f"killed at line {point} of {total}: mixed state"
        outcomes[point] = "before" if state == before else "after"

    # The sweep crossed the decision: early kills leave the old data, late ones the new.
    assert outcomes[points[0]] == "before"
    assert outcomes[points[-1]] == "after"


def test_the_next_import_recovers_and_runs(
    databases: Databases,
    small_files: dict[str, str],
    dataset_writer: Callable[[Path, Mapping[str, str | bytes]], Path],
    dump: Dump,
    tmp_path: Path,
) -> None:
    """Killed between the two commits: the next import restores the catalog, says so, runs."""
    new_data = dataset_writer(tmp_path / "new", changed_files(small_files))
    reference = databases.copy()
    _, numbers = run_killed(new_data, reference, kill_at=None)
    after = dump(reference)
    between_commits = numbers[2]  # the commit phase: catalog.commit(), listening.commit(), ...
    targets = databases.copy()
    status, _ = run_killed(new_data, targets, kill_at=between_commits)
    assert os.WIFSIGNALED(status)
    heard: list[str] = []

    run_import(new_data, targets, replace=True, progress=False, notify=heard.append)

    assert len(heard) == 1
    assert "interrupted before its commit; the catalog was restored" in heard[0]
    state = dump(targets)
    assert state == after


def test_migrate_settles_an_interrupted_import(
    databases: Databases,
    small_files: dict[str, str],
    dataset_writer: Callable[[Path, Mapping[str, str | bytes]], Path],
    dump: Dump,
    database_factory: Callable[[str], str],
    clear_settings: None,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """``soundstream-admin migrate`` (the deployment's migration step, the start of ``make
    dev``) restores the catalog of a run killed between its two commits, and says so."""
    new_data = dataset_writer(tmp_path / "new", changed_files(small_files))
    before = dump(databases.original)
    reference = databases.copy()
    _, numbers = run_killed(new_data, reference, kill_at=None)
    targets = databases.copy()
    status, _ = run_killed(new_data, targets, kill_at=numbers[2])
    assert os.WIFSIGNALED(status)
    assert dump(targets) not in (before, dump(reference)), "the kill left a mixed state"
    monkeypatch.setenv("CATALOG_DATABASE_URL", targets["catalog"])
    monkeypatch.setenv("LISTENING_DATABASE_URL", targets["listening"])
    monkeypatch.setenv("RECOMMENDER_DATABASE_URL", database_factory("recommender"))
    monkeypatch.setenv("GATEWAY_DATABASE_URL", database_factory("gateway"))

    result = CliRunner().invoke(app, ["migrate"])

    assert result.exit_code == 0, result.output
    assert "interrupted before its commit; the catalog was restored" in result.output
    assert dump(targets) == before
