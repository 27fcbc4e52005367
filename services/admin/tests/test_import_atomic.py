"""Malformed input stops the import at ``file:line`` and leaves every database as it was."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from catalog.db import MIGRATIONS as CATALOG_MIGRATIONS
from listening.db import MIGRATIONS as LISTENING_MIGRATIONS
from soundstream_admin.importing import DataFileError, run_import
from soundstream_common.db import create_db_engine


def replace_line(number: int, new: bytes) -> Callable[[bytes], bytes]:
    """Replace line ``number`` (1 = header) of a file."""

    def edit(content: bytes) -> bytes:
        lines = content.split(b"\n")
        lines[number - 1] = new
        return b"\n".join(lines)

    return edit


def repeat_line(number: int) -> Callable[[bytes], bytes]:
    """Append a copy of line ``number`` at the end of the file."""

    def edit(content: bytes) -> bytes:
        return content + content.split(b"\n")[number - 1] + b"\n"

    return edit


# (file, edit, expected "file:line: reason" prefix) -- each corruption in a different file.
CORRUPTIONS = {
    "undecodable artist name": (
        "artists.dat",
        replace_line(3, b"2\tBeyonc\xe9\thttp://www.last.fm/music/Beyonce\t"),
        "artists.dat:3: undecodable bytes b'\\xe9' (not valid utf-8 text)",
    ),
    "control byte in a latin-1 tag": (
        "tags.dat",
        replace_line(3, b"2\tm\x81sica"),
        "tags.dat:3: undecodable byte 0x81 (control character)",
    ),
    "wrong column count": (
        "user_artists.dat",
        replace_line(4, b"3\t1"),
        "user_artists.dat:4: expected 3 tab-separated columns, found 2",
    ),
    "duplicate tag assignment": (
        "user_taggedartists.dat",
        repeat_line(2),
        "user_taggedartists.dat:7: duplicate key (user 2, artist 1, tag 1, "
        "timestamp_ms 1238544000000), first seen at line 2",
    ),
    "non-integer id": (
        "user_friends.dat",
        replace_line(3, b"3\tx"),
        "user_friends.dat:3: non-integer friendID 'x'",
    ),
    "duplicate listen": (
        "user_artists.dat",
        repeat_line(3),
        "user_artists.dat:7: duplicate key (user 2, artist 2), first seen at line 3",
    ),
}


def corrupted_copy(source: Path, target: Path, file: str, edit: Callable[[bytes], bytes]) -> Path:
    target.mkdir()
    for path in source.iterdir():
        content = path.read_bytes()
        (target / path.name).write_bytes(edit(content) if path.name == file else content)
    return target


@pytest.mark.parametrize(
    ("case", "replace"),
    [(case, False) for case in CORRUPTIONS]
    + [("wrong column count", True), ("duplicate tag assignment", True)],
)
def test_corrupted_file_changes_nothing(
    case: str,
    replace: bool,
    small_dataset: Path,
    import_targets: dict[str, str],
    dump: Callable[..., dict[str, object]],
    tmp_path: Path,
) -> None:
    run_import(small_dataset, import_targets, progress=False)
    before = dump(import_targets)
    file, edit, message = CORRUPTIONS[case]
    broken = corrupted_copy(small_dataset, tmp_path / "broken", file, edit)

    with pytest.raises(DataFileError) as failure:
        run_import(broken, import_targets, replace=replace, progress=False)

    assert str(failure.value) == message
    assert dump(import_targets) == before


@pytest.mark.parametrize("case", ["duplicate tag assignment", "duplicate listen", "non-integer id"])
def test_failure_on_empty_databases_leaves_them_empty(
    case: str,
    small_dataset: Path,
    import_targets: dict[str, str],
    dump: Callable[..., dict[str, object]],
    tmp_path: Path,
) -> None:
    """The fast path for empty tables (bulk COPY, indexes built at the end) rolls back too."""
    for name, migrations in (("catalog", CATALOG_MIGRATIONS), ("listening", LISTENING_MIGRATIONS)):
        engine = create_db_engine(import_targets[name])
        migrations.upgrade(engine)
        engine.dispose()
    before = dump(import_targets)
    file, edit, message = CORRUPTIONS[case]
    broken = corrupted_copy(small_dataset, tmp_path / "broken", file, edit)

    with pytest.raises(DataFileError) as failure:
        run_import(broken, import_targets, progress=False)

    assert str(failure.value) == message
    assert dump(import_targets) == before
