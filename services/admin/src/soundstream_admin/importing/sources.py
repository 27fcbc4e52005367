"""Where the data comes from: a directory of HetRec files, its layout and its checksums.

The operator command picks the source in this order: ``--data-dir``, the setting
``SOUNDSTREAM_HETREC_DIR``, a download of the official archive, and, if the download fails,
a synthetic data set in the same formats.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from soundstream_admin.importing import formats
from soundstream_admin.importing.errors import SourceError
from soundstream_admin.importing.formats import FileFormat
from soundstream_admin.importing.report import SourceInfo

if TYPE_CHECKING:
    from soundstream_admin.config import AdminSettings

Origin = Literal["directory", "download", "synthetic"]
ChecksumStatus = Literal["match", "differs", "unknown"]


@dataclass(frozen=True)
class DataSource:
    """A directory holding the HetRec files, and how it came to be there."""

    directory: Path
    origin: Origin = "directory"

    def layout(self) -> DataLayout:
        return locate_files(self.directory)

    @cached_property
    def info(self) -> SourceInfo:
        """The directory, its origin and the files' checksums (computed once)."""
        layout = self.layout()
        checksums = file_checksums(layout)
        return SourceInfo(
            directory=str(layout.directory.resolve()),
            origin=self.origin,
            assignments_file=layout.assignments_format.name,
            checksums=checksums,
            matches_official=all(entry["official"] == "match" for entry in checksums.values()),
        )


@dataclass(frozen=True)
class DataLayout:
    """The input files of one import; ``assignments`` is in either of its two forms."""

    directory: Path
    artists: Path
    tags: Path
    listens: Path
    assignments: Path
    assignments_format: FileFormat
    friends: Path

    def files(self) -> list[tuple[FileFormat, Path]]:
        """The files in import order (parents before the rows that name them)."""
        return [
            (formats.ARTISTS, self.artists),
            (formats.TAGS, self.tags),
            (formats.LISTENS, self.listens),
            (self.assignments_format, self.assignments),
            (formats.FRIENDS, self.friends),
        ]


def locate_files(directory: Path) -> DataLayout:
    """The layout of ``directory``; the day/month/year assignments file wins if both exist."""
    if not directory.is_dir():
        raise SourceError(f"data directory {directory} does not exist")
    assignments_format = formats.ASSIGNMENTS_DATES
    if not (directory / assignments_format.name).is_file():
        assignments_format = formats.ASSIGNMENTS_TIMESTAMPS
    required = [formats.ARTISTS, formats.TAGS, formats.LISTENS, assignments_format, formats.FRIENDS]
    missing = [fmt.name for fmt in required if not (directory / fmt.name).is_file()]
    if missing:
        if assignments_format is formats.ASSIGNMENTS_TIMESTAMPS:
            missing[missing.index(assignments_format.name)] = (
                f"{formats.ASSIGNMENTS_DATES.name} (or {assignments_format.name})"
            )
        raise SourceError(f"{directory} lacks {', '.join(missing)}")
    return DataLayout(
        directory=directory,
        artists=directory / formats.ARTISTS.name,
        tags=directory / formats.TAGS.name,
        listens=directory / formats.LISTENS.name,
        assignments=directory / assignments_format.name,
        assignments_format=assignments_format,
        friends=directory / formats.FRIENDS.name,
    )


def file_checksums(layout: DataLayout) -> dict[str, dict[str, Any]]:
    """Per file: SHA-256 (None when the size already differs) and the official verdict."""
    result: dict[str, dict[str, Any]] = {}
    for fmt, path in layout.files():
        official = formats.OFFICIAL_FILES.get(fmt.name)
        size = path.stat().st_size
        digest: str | None = None
        status: ChecksumStatus = "unknown"
        if official is None or size == official[1]:
            digest = _sha256(path)
        if official is not None:
            status = "match" if digest == official[0] else "differs"
        result[fmt.name] = {"sha256": digest, "bytes": size, "official": status}
    return result


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def resolve_source(
    data_dir: Path | None,
    settings: AdminSettings,
    *,
    synthetic_users: int,
    seed: int,
    notify: Callable[[str], None],
) -> DataSource:
    """The data to import: given directory, configured directory, download, or synthetic."""
    if data_dir is not None:
        return DataSource(data_dir, "directory")
    if settings.hetrec_dir is not None:
        return DataSource(settings.hetrec_dir, "directory")
    from soundstream_admin.download import DownloadError, download_dataset

    try:
        return DataSource(download_dataset(settings.download_dir), "download")
    except DownloadError as exc:
        notify(f"Download of the HetRec 2011 data failed ({exc}); generating synthetic data.")
    from soundstream_admin.synthetic import generate_dataset

    directory = generate_dataset(settings.synthetic_dir, users=synthetic_users, seed=seed)
    return DataSource(directory, "synthetic")
