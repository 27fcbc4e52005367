"""The HetRec 2011 Last.fm data directory: its file names and its atomic replacement."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ARTISTS = "artists.dat"
TAGS = "tags.dat"
USER_ARTISTS = "user_artists.dat"
USER_TAGGED_ARTISTS = "user_taggedartists.dat"
USER_TAGGED_ARTISTS_TIMESTAMPS = "user_taggedartists-timestamps.dat"
USER_FRIENDS = "user_friends.dat"
README = "readme.txt"
CHECKSUMS = "SHA256SUMS"

DATA_SET_FILES = frozenset(
    {
        ARTISTS,
        TAGS,
        USER_ARTISTS,
        USER_TAGGED_ARTISTS,
        USER_TAGGED_ARTISTS_TIMESTAMPS,
        USER_FRIENDS,
        README,
        CHECKSUMS,
    }
)
"""Every file a data directory may hold; anything else means it is not ours to replace."""


class DataDirectoryError(Exception):
    """The target directory cannot take a data set (it holds files of another kind)."""


def check_replaceable(target: Path) -> None:
    """Raise unless ``target`` is absent, empty, or holds nothing but data-set files."""
    if not target.exists():
        return
    if not target.is_dir():
        raise DataDirectoryError(f"{target} exists and is not a directory")
    foreign = sorted(p.name for p in target.iterdir() if p.name not in DATA_SET_FILES)
    if foreign:
        raise DataDirectoryError(
            f"{target} holds files that are not part of a data set ({', '.join(foreign[:5])}); "
            "choose an empty or new directory"
        )


@contextmanager
def staging_directory(target: Path) -> Iterator[Path]:
    """A fresh temporary directory beside ``target``, removed if the block fails.

    Build the data set inside it, then call :func:`publish`; a run killed half way leaves
    ``target`` as it was.
    """
    check_replaceable(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(
        tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    )
    umask = os.umask(0)
    os.umask(umask)
    staging.chmod(0o777 & ~umask)  # mkdtemp makes it private; a data set is not
    try:
        yield staging
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def publish(staging: Path, target: Path) -> None:
    """Move the finished ``staging`` directory to ``target``, replacing a previous data set."""
    check_replaceable(target)
    if not target.exists():
        os.replace(staging, target)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
    os.replace(target, retired / target.name)
    try:
        os.replace(staging, target)
    except OSError:
        os.replace(retired / target.name, target)
        raise
    finally:
        shutil.rmtree(retired, ignore_errors=True)
