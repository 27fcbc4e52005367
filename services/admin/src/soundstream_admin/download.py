"""Download the HetRec 2011 Last.fm data set from GroupLens and check it file by file.

The zip is streamed into a staging directory beside the destination, extracted, and every
file is checked against the SHA-256 pinned below before the directory takes the
destination's place; any failure raises :class:`DownloadError` and leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from pathlib import Path, PurePosixPath

import httpx

from soundstream_admin import datadir

OFFICIAL_URL = "https://files.grouplens.org/datasets/hetrec2011/hetrec2011-lastfm-2k.zip"
TIMEOUT = httpx.Timeout(connect=10.0, read=60.0, write=30.0, pool=10.0)
MAX_ARCHIVE_BYTES = 256 * 1024 * 1024
"""The real archive is about 2.5 MB; anything this large is not it."""
MAX_EXTRACTED_BYTES = 512 * 1024 * 1024

PINNED_SHA256 = {
    datadir.ARTISTS: "c173881362c6b28551368fecb3c0be5a6a30a6cd859e1f5775413dfe46d48648",
    datadir.README: "44c38757b3a24e68e844ac60c97ba7fd8e0f691cf1b00e9cf6bd8854df0dd64a",
    datadir.TAGS: "c815d7216101fd0ba9b9c59fa2a011998d2fd076e0064d281ec4153d95ae8095",
    datadir.USER_ARTISTS: "254272fa721c3935e8be286d28c051b206844307128698ab4eaa41d483379416",
    datadir.USER_FRIENDS: "0360883a3557776e04fdebda851f2e5dd23e796cad7059b968acdebd528d13fa",
    datadir.USER_TAGGED_ARTISTS: "c4a9ffae9ab47a9f9b2f0678ab1f7e5c1db4ca818837d8cddd1f5699c5bbf048",
}
"""SHA-256 of each file of the official release: the contract a download must meet."""
UNPINNED_FILES = (datadir.USER_TAGGED_ARTISTS_TIMESTAMPS,)
"""Also in the archive and kept, but with no published checksum."""


class DownloadError(Exception):
    """The data set could not be downloaded, extracted or verified."""


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verification_problems(folder: Path) -> list[str]:
    """What keeps ``folder`` from holding the verified data set (empty when it does)."""
    problems = []
    for name, expected in PINNED_SHA256.items():
        path = folder / name
        if not path.is_file():
            problems.append(f"{name} is missing")
        elif sha256_of(path) != expected:
            problems.append(f"{name} does not match its pinned SHA-256")
    return problems


def download_dataset(
    dest_dir: Path, *, url: str = OFFICIAL_URL, client: httpx.Client | None = None
) -> Path:
    """Make ``dest_dir`` hold the verified HetRec 2011 Last.fm files; returns ``dest_dir``.

    Nothing is downloaded when ``dest_dir`` already holds them. ``client`` lets the caller
    supply its own HTTP client (its transport, proxies); by default one with explicit
    timeouts is used.
    """
    dest_dir = Path(dest_dir)
    if not verification_problems(dest_dir):
        return dest_dir
    own_client = client is None
    http = client if client is not None else httpx.Client(timeout=TIMEOUT, follow_redirects=True)
    try:
        with datadir.staging_directory(dest_dir) as staging:
            archive = staging / "download.zip.partial"
            _fetch(http, url, archive)
            _extract(archive, staging)
            archive.unlink()
            problems = verification_problems(staging)
            if problems:
                details = "; ".join(problems)
                raise DownloadError(f"the archive from {url} failed verification: {details}")
            _write_checksums(staging)
            datadir.publish(staging, dest_dir)
    except datadir.DataDirectoryError as exc:
        raise DownloadError(str(exc)) from exc
    except OSError as exc:
        raise DownloadError(f"could not write the data set next to {dest_dir}: {exc}") from exc
    finally:
        if own_client:
            http.close()
    return dest_dir


def _fetch(client: httpx.Client, url: str, archive: Path) -> None:
    """Stream ``url`` into ``archive``."""
    try:
        with client.stream("GET", url, timeout=TIMEOUT) as response:
            if response.status_code != httpx.codes.OK:
                raise DownloadError(f"{url} answered HTTP {response.status_code}")
            received = 0
            with archive.open("wb") as out:
                for chunk in response.iter_bytes():
                    received += len(chunk)
                    if received > MAX_ARCHIVE_BYTES:
                        raise DownloadError(f"{url} sent more than {MAX_ARCHIVE_BYTES} bytes")
                    out.write(chunk)
    except httpx.HTTPError as exc:
        raise DownloadError(f"could not download {url}: {exc!r}") from exc


def _extract(archive: Path, folder: Path) -> None:
    """Copy the data-set files out of the archive by name (no paths from the archive are used)."""
    wanted = (*PINNED_SHA256, *UNPINNED_FILES)
    try:
        with zipfile.ZipFile(archive) as zipped:
            members: dict[str, zipfile.ZipInfo] = {}
            for info in zipped.infolist():
                name = PurePosixPath(info.filename).name
                if not info.is_dir() and name in wanted:
                    members.setdefault(name, info)
            missing = [name for name in PINNED_SHA256 if name not in members]
            if missing:
                raise DownloadError(f"the archive lacks {', '.join(missing)}")
            if sum(info.file_size for info in members.values()) > MAX_EXTRACTED_BYTES:
                raise DownloadError("the archive's files are far larger than the data set")
            for name, info in members.items():
                with zipped.open(info) as source, (folder / name).open("wb") as target:
                    shutil.copyfileobj(source, target, 1 << 20)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError) as exc:
        raise DownloadError(f"the download is not a valid zip archive: {exc}") from exc


def _write_checksums(folder: Path) -> None:
    """Record the verified checksums beside the files, in ``sha256sum`` format."""
    lines = [f"{digest}  {name}\n" for name, digest in sorted(PINNED_SHA256.items())]
    (folder / datadir.CHECKSUMS).write_text("".join(lines), encoding="ascii")
