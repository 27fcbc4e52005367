"""Downloading the official archive: verified files land atomically, failures leave nothing."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from soundstream_admin.cli import app
from soundstream_admin.download import (
    OFFICIAL_URL,
    PINNED_SHA256,
    DownloadError,
    download_dataset,
    sha256_of,
)
from soundstream_testing.hetrec import hetrec_data_dir, require_hetrec

REPO = Path(__file__).resolve().parents[3]
TIMESTAMPS = "user_taggedartists-timestamps.dat"
TIMESTAMPS_TEXT = "userID\tartistID\ttagID\ttimestamp\n2\t52\t13\t1238536800000\n"

Handler = Callable[[httpx.Request], httpx.Response]


@pytest.fixture(scope="module")
def real_dir() -> Path:
    """The real HetRec files ($SOUNDSTREAM_HETREC_DIR or ../shared beside the checkout)."""
    path = hetrec_data_dir()
    require_hetrec(path, tuple(PINNED_SHA256))
    return path


def build_zip(files: dict[str, bytes], folder: str = "") -> bytes:
    """A zip archive holding ``files`` (under ``folder``/ when given)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(f"{folder}{name}", content)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def real_files(real_dir: Path) -> dict[str, bytes]:
    files = {name: (real_dir / name).read_bytes() for name in PINNED_SHA256}
    files[TIMESTAMPS] = TIMESTAMPS_TEXT.encode("ascii")
    return files


def serving(body: bytes, status: int = 200) -> tuple[httpx.Client, list[httpx.Request]]:
    """A client whose every request gets ``body``; also the list of requests it saw."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, content=body)

    return httpx.Client(transport=httpx.MockTransport(handler)), seen


def leftovers(parent: Path, *expected: str) -> list[str]:
    """Entries of ``parent`` other than ``expected`` (staging directories, partial files)."""
    return sorted(p.name for p in parent.iterdir() if p.name not in expected)


@pytest.mark.realdata
def test_downloads_verifies_and_installs_the_files(
    tmp_path: Path, real_dir: Path, real_files: dict[str, bytes]
) -> None:
    client, seen = serving(build_zip(real_files, folder="hetrec2011-lastfm-2k/"))
    dest = download_dataset(tmp_path / "hetrec", client=client)
    assert [str(request.url) for request in seen] == [OFFICIAL_URL]
    for name in PINNED_SHA256:
        assert (dest / name).read_bytes() == (real_dir / name).read_bytes()
    assert (dest / TIMESTAMPS).read_text("ascii") == TIMESTAMPS_TEXT
    assert (dest / "SHA256SUMS").read_text("ascii").splitlines() == [
        f"{digest}  {name}" for name, digest in sorted(PINNED_SHA256.items())
    ]
    assert leftovers(tmp_path, "hetrec") == []


@pytest.mark.realdata
def test_files_already_verified_are_not_downloaded_again(
    tmp_path: Path, real_files: dict[str, bytes]
) -> None:
    dest = tmp_path / "hetrec"
    dest.mkdir()
    for name in PINNED_SHA256:
        (dest / name).write_bytes(real_files[name])
    client, seen = serving(b"", status=500)
    assert download_dataset(dest, client=client) == dest
    assert seen == []


@pytest.mark.realdata
def test_an_altered_file_fails_verification_and_leaves_dest_untouched(
    tmp_path: Path, real_files: dict[str, bytes]
) -> None:
    dest = tmp_path / "hetrec"
    dest.mkdir()
    (dest / "artists.dat").write_bytes(b"id\tname\turl\tpictureURL\n")  # an earlier, partial copy
    altered = dict(real_files)
    altered["tags.dat"] = altered["tags.dat"].replace(b"metal", b"metol", 1)
    client, _ = serving(build_zip(altered))
    with pytest.raises(DownloadError, match=r"tags\.dat"):
        download_dataset(dest, client=client)
    assert [p.name for p in dest.iterdir()] == ["artists.dat"]
    assert (dest / "artists.dat").read_bytes() == b"id\tname\turl\tpictureURL\n"
    assert leftovers(tmp_path, "hetrec") == []


@pytest.mark.realdata
def test_an_archive_missing_a_file_is_rejected(
    tmp_path: Path, real_files: dict[str, bytes]
) -> None:
    incomplete = {k: v for k, v in real_files.items() if k != "user_friends.dat"}
    client, _ = serving(build_zip(incomplete))
    with pytest.raises(DownloadError, match=r"user_friends\.dat"):
        download_dataset(tmp_path / "hetrec", client=client)
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("status", [404, 500])
def test_http_errors_raise_download_error(tmp_path: Path, status: int) -> None:
    client, _ = serving(b"<html>error</html>", status=status)
    with pytest.raises(DownloadError, match=f"HTTP {status}"):
        download_dataset(tmp_path / "hetrec", client=client)
    assert leftovers(tmp_path) == []


def test_a_connection_error_raises_download_error(tmp_path: Path) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    client = httpx.Client(transport=httpx.MockTransport(refuse))
    with pytest.raises(DownloadError, match="could not download"):
        download_dataset(tmp_path / "hetrec", client=client)
    assert leftovers(tmp_path) == []


def test_a_body_that_is_not_a_zip_raises_download_error(tmp_path: Path) -> None:
    client, _ = serving(b"PK\x03\x04 but truncated")
    with pytest.raises(DownloadError, match="not a valid zip"):
        download_dataset(tmp_path / "hetrec", client=client)
    assert leftovers(tmp_path) == []


def test_a_destination_with_other_files_is_refused(tmp_path: Path) -> None:
    dest = tmp_path / "notes"
    dest.mkdir()
    (dest / "notes.txt").write_text("keep me")
    client, seen = serving(b"")
    with pytest.raises(DownloadError, match=r"notes\.txt"):
        download_dataset(dest, client=client)
    assert seen == []
    assert [p.name for p in dest.iterdir()] == ["notes.txt"]


@pytest.mark.realdata
def test_download_command_reports_present_files(tmp_path: Path, real_dir: Path) -> None:
    dest = tmp_path / "hetrec"
    dest.mkdir()
    for name in PINNED_SHA256:
        (dest / name).write_bytes((real_dir / name).read_bytes())
    result = CliRunner().invoke(app, ["download", "--dest", str(dest)])
    assert result.exit_code == 0, result.output
    assert "already holds the verified data set" in result.output


def test_download_command_fails_cleanly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def unreachable(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("name or service not known", request=request)

    real_client = httpx.Client

    def offline_client(**kwargs: object) -> httpx.Client:
        return real_client(transport=httpx.MockTransport(unreachable))

    monkeypatch.setattr(httpx, "Client", offline_client)
    result = CliRunner().invoke(app, ["download", "--dest", str(tmp_path / "hetrec")])
    assert result.exit_code == 1
    assert "could not download" in result.output
    assert leftovers(tmp_path) == []


@pytest.mark.realdata
def test_pinned_checksums_match_the_shared_copy(real_dir: Path) -> None:
    sums = real_dir / "SHA256SUMS"
    if sums.is_file():
        listed = dict(line.split()[::-1] for line in sums.read_text("ascii").splitlines())
        assert listed == PINNED_SHA256
    for name, digest in PINNED_SHA256.items():
        assert sha256_of(real_dir / name) == digest
