"""The synthetic data generator: real formats, determinism, unique keys, realistic skew."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from soundstream_admin.cli import app
from soundstream_admin.datadir import DataDirectoryError
from soundstream_admin.synthetic import calibration, generate_dataset
from soundstream_admin.synthetic import generator as generator_module

REPO = Path(__file__).resolve().parents[3]
USERS = 400
HEADERS = {
    "artists.dat": "id\tname\turl\tpictureURL",
    "tags.dat": "tagID\ttagValue",
    "user_artists.dat": "userID\tartistID\tweight",
    "user_taggedartists.dat": "userID\tartistID\ttagID\tday\tmonth\tyear",
    "user_friends.dat": "userID\tfriendID",
}
TIMESTAMPS_HEADER = "userID\tartistID\ttagID\ttimestamp"
ENCODINGS = {"artists.dat": "utf-8", "tags.dat": "latin-1"}


def real_data_dir() -> Path | None:
    """The real HetRec files ($SOUNDSTREAM_HETREC_DIR or ../shared beside the checkout)."""
    configured = os.environ.get("SOUNDSTREAM_HETREC_DIR")
    path = Path(configured) if configured else REPO.parent / "shared/data/hetrec2011-lastfm-2k"
    return path if (path / "artists.dat").is_file() else None


def read_rows(path: Path) -> list[list[str]]:
    """Data rows of a data-set file, split on tabs (header dropped)."""
    text = path.read_bytes().decode(ENCODINGS.get(path.name, "ascii"))
    return [line.split("\t") for line in text.split("\n")[1:-1]]


def int_table(path: Path) -> np.ndarray:
    """An all-integer data-set file as a (rows, columns) array."""
    header, body = path.read_bytes().split(b"\n", 1)
    return np.array(body.split(), dtype=np.int64).reshape(-1, header.count(b"\t") + 1)


def file_hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def top_share(values: np.ndarray, share: float) -> float:
    """Part of the total held by the largest ``share`` of the values."""
    ordered = np.sort(values)[::-1]
    return float(ordered[: max(1, int(len(ordered) * share))].sum() / ordered.sum())


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_dataset(tmp_path_factory.mktemp("gen") / "data", users=USERS, seed=0)


@pytest.fixture(scope="module")
def timestamped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("gen") / "data"
    return generate_dataset(folder, users=USERS, seed=0, timestamps=True)


def test_writes_the_five_files_with_the_real_headers(dataset: Path) -> None:
    assert sorted(p.name for p in dataset.iterdir()) == sorted(HEADERS)
    real = real_data_dir()
    for name, header in HEADERS.items():
        raw = (dataset / name).read_bytes()
        assert raw.endswith(b"\n")
        assert b"\r" not in raw
        lines = raw.decode(ENCODINGS.get(name, "ascii")).split("\n")[:-1]
        assert lines[0] == header
        assert len(lines) > 1
        assert {len(line.split("\t")) for line in lines} == {header.count("\t") + 1}
        if real is not None:
            real_header = (real / name).read_bytes().split(b"\n")[0].decode("ascii")
            assert real_header == header


def test_artists_are_utf8_with_the_real_quirks(dataset: Path) -> None:
    rows = read_rows(dataset / "artists.dat")
    ids = [int(row[0]) for row in rows]
    names = [row[1] for row in rows]
    assert len(set(ids)) == len(ids)
    assert ids == sorted(ids)
    assert max(ids) > len(ids)  # ids are not contiguous
    assert len(set(names)) == len(names)
    assert any('"' in name for name in names)
    assert any(any(ord(c) > 127 for c in name) for name in names)
    assert any(any(ord(c) > 255 for c in name) for name in names)  # beyond Latin-1
    assert any(row[3] == "" for row in rows)
    assert all(row[2].startswith("http://www.last.fm/music/") for row in rows)


def test_tags_are_latin1_with_accented_values(dataset: Path) -> None:
    raw = (dataset / "tags.dat").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    rows = read_rows(dataset / "tags.dat")
    values = [row[1] for row in rows]
    ids = [int(row[0]) for row in rows]
    assert any(any(c in value for c in "áéíóúüöäçñß") for value in values)
    assert len(set(values)) == len(values)
    assert len(set(ids)) == len(ids)


def test_same_arguments_give_identical_files(dataset: Path, tmp_path: Path) -> None:
    again = generate_dataset(tmp_path / "again", users=USERS, seed=0)
    other = generate_dataset(tmp_path / "other", users=USERS, seed=1)
    assert file_hashes(again) == file_hashes(dataset)
    differing = {
        name for name, digest in file_hashes(other).items() if file_hashes(dataset)[name] != digest
    }
    assert differing == set(HEADERS)


def test_keys_are_unique(dataset: Path) -> None:
    listens = int_table(dataset / "user_artists.dat")
    assert len({(u, a) for u, a, _ in listens.tolist()}) == len(listens)
    assert listens[:, 2].min() >= 1
    assert listens[:, 2].max() <= calibration.MAX_WEIGHT
    tagged = int_table(dataset / "user_taggedartists.dat")
    assert len({tuple(row) for row in tagged.tolist()}) == len(tagged)
    tag_ids = {int(row[0]) for row in read_rows(dataset / "tags.dat")}
    assert set(tagged[:, 2].tolist()) <= tag_ids


def test_friendships_are_symmetric_without_self_loops(dataset: Path) -> None:
    pairs = [tuple(row) for row in int_table(dataset / "user_friends.dat").tolist()]
    assert len(set(pairs)) == len(pairs)
    assert all(a != b for a, b in pairs)
    assert {(b, a) for a, b in pairs} == set(pairs)
    users = set(int_table(dataset / "user_artists.dat")[:, 0].tolist())
    assert {a for a, _ in pairs} == users  # every user has a friend, as in the real data


def test_a_few_artists_hold_most_plays(dataset: Path) -> None:
    listens = int_table(dataset / "user_artists.dat")
    _, artist = np.unique(listens[:, 1], return_inverse=True)
    share = top_share(np.bincount(artist, weights=listens[:, 2]), 0.01)
    assert share > 0.25  # 1% of the artists, over a quarter of all plays
    real = real_data_dir()
    if real is not None:
        # The same statistic on as many real users, drawn at random.
        real_listens = int_table(real / "user_artists.dat")
        rng = np.random.default_rng(0)
        users = rng.choice(np.unique(real_listens[:, 0]), USERS, replace=False)
        sample = real_listens[np.isin(real_listens[:, 0], users)]
        _, real_artist = np.unique(sample[:, 1], return_inverse=True)
        real_share = top_share(np.bincount(real_artist, weights=sample[:, 2]), 0.01)
        assert 0.6 * real_share < share < 1.5 * real_share


def test_weights_are_heavy_tailed(dataset: Path) -> None:
    weights = int_table(dataset / "user_artists.dat")[:, 2]
    assert weights.max() / np.median(weights) > 100
    assert weights.mean() > 2 * np.median(weights)


def test_friend_counts_are_heavy_tailed(dataset: Path) -> None:
    pairs = int_table(dataset / "user_friends.dat")
    degree = np.unique(pairs[:, 0], return_counts=True)[1]
    assert degree.max() >= 5 * np.median(degree)
    share = top_share(degree, 0.1)
    real = real_data_dir()
    if real is not None:
        real_degree = np.unique(int_table(real / "user_friends.dat")[:, 0], return_counts=True)[1]
        assert abs(share - top_share(real_degree, 0.1)) < 0.1
    else:
        assert share > 0.3


def test_quirks_occur_at_the_real_rates(dataset: Path) -> None:
    artists = {int(row[0]) for row in read_rows(dataset / "artists.dat")}
    tagged = int_table(dataset / "user_taggedartists.dat")
    missing_share = float(np.mean([a not in artists for a in tagged[:, 1].tolist()]))
    real_share = calibration.MISSING_ARTIST_ROW_SHARE
    real = real_data_dir()
    if real is not None:
        real_artists = {int(row[0]) for row in read_rows(real / "artists.dat")}
        real_tagged = int_table(real / "user_taggedartists.dat")
        real_share = float(np.mean([a not in real_artists for a in real_tagged[:, 1].tolist()]))
    assert real_share / 3 < missing_share < real_share * 3
    years = Counter(tagged[:, 5].tolist())
    impossible = sum(count for year, count in years.items() if year < 2005)
    assert 1 <= impossible <= max(3, len(tagged) // 1000)
    assert {year for year in years if year >= 2005} <= set(range(2005, 2012))
    assert years[2005] < years[2007] < years[2009]  # the service grows


def test_users_mostly_tag_artists_they_listen_to(dataset: Path) -> None:
    listened = {(u, a) for u, a, _ in int_table(dataset / "user_artists.dat").tolist()}
    pairs = {(u, a) for u, a, *_ in int_table(dataset / "user_taggedartists.dat").tolist()}
    per_user: dict[int, list[bool]] = {}
    for user, artist in pairs:
        per_user.setdefault(user, []).append((user, artist) in listened)
    assert np.median([np.mean(flags) for flags in per_user.values()]) > 0.5


def test_tags_cluster_by_artist_genre(dataset: Path) -> None:
    tagged = int_table(dataset / "user_taggedartists.dat")

    def concentration(artist: np.ndarray, tag: np.ndarray) -> float:
        """Mean share of an artist's tag assignments taken by its 3 most used tags."""
        pairs, counts = np.unique(np.column_stack([artist, tag]), axis=0, return_counts=True)
        shares = []
        for group in np.split(counts, np.flatnonzero(np.diff(pairs[:, 0])) + 1):
            if group.sum() >= 20:
                shares.append(np.sort(group)[::-1][:3].sum() / group.sum())
        return float(np.mean(shares))

    shuffled = np.random.default_rng(0).permutation(tagged[:, 2])
    assert concentration(tagged[:, 1], tagged[:, 2]) > 1.5 * concentration(tagged[:, 1], shuffled)


def test_counts_follow_the_real_data_and_scale_with_users(tmp_path: Path) -> None:
    real = calibration.Targets.for_users(1892)
    assert (real.artists, real.tags, real.tag_assignments) == (17632, 11946, 186479)
    assert calibration.Targets.for_users(94600).tag_assignments == pytest.approx(9.3e6, rel=0.01)
    counts = {}
    for users in (200, 400):
        folder = generate_dataset(tmp_path / str(users), users=users, seed=5)
        counts[users] = {name: len(read_rows(folder / name)) for name in HEADERS}
    small, large = counts[200], counts[400]
    assert large["user_artists.dat"] == pytest.approx(49 * 400, rel=0.05)
    assert large["user_taggedartists.dat"] == pytest.approx(98.6 * 400, rel=0.15)
    assert large["user_friends.dat"] == pytest.approx(2 * 12717 / 1892 * 400, rel=0.05)
    for name in ("artists.dat", "user_artists.dat", "user_taggedartists.dat", "user_friends.dat"):
        assert large[name] / small[name] == pytest.approx(2.0, rel=0.25)


def test_timestamps_form_holds_the_same_assignments(dataset: Path, timestamped: Path) -> None:
    assert not (timestamped / "user_taggedartists.dat").exists()
    path = timestamped / "user_taggedartists-timestamps.dat"
    assert path.read_text("ascii").split("\n")[0] == TIMESTAMPS_HEADER
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    as_dates = set()
    for user, artist, tag, ms in int_table(path).tolist():
        day = epoch + dt.timedelta(milliseconds=ms)
        as_dates.add((user, artist, tag, day.day, day.month, day.year))
    assert as_dates == {
        tuple(row) for row in int_table(dataset / "user_taggedartists.dat").tolist()
    }
    for name in HEADERS:
        if name != "user_taggedartists.dat":
            assert (timestamped / name).read_bytes() == (dataset / name).read_bytes()


def test_output_replaces_a_previous_data_set_only(tmp_path: Path) -> None:
    target = tmp_path / "data"
    generate_dataset(target, users=60, seed=1)
    generate_dataset(target, users=60, seed=2)
    assert file_hashes(target) == file_hashes(generate_dataset(tmp_path / "b", users=60, seed=2))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b", "data"]  # nothing left over
    foreign = tmp_path / "notes"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    with pytest.raises(DataDirectoryError):
        generate_dataset(foreign, users=60)
    assert [p.name for p in foreign.iterdir()] == ["notes.txt"]


def test_a_failed_run_leaves_no_half_data_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    previous = generate_dataset(tmp_path / "data", users=60, seed=1)
    before = file_hashes(previous)

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(generator_module, "_write_friends", interrupted)
    with pytest.raises(KeyboardInterrupt):
        generate_dataset(tmp_path / "data", users=60, seed=2)
    with pytest.raises(KeyboardInterrupt):
        generate_dataset(tmp_path / "fresh", users=60, seed=2)
    assert file_hashes(previous) == before
    assert [p.name for p in tmp_path.iterdir()] == ["data"]


def test_generate_command(tmp_path: Path) -> None:
    out = tmp_path / "cli"
    result = CliRunner().invoke(
        app, ["generate", "--users", "80", "--seed", "4", "--out", str(out), "--timestamps"]
    )
    assert result.exit_code == 0, result.output
    assert "user_taggedartists-timestamps.dat" in result.output
    expected = generate_dataset(tmp_path / "api", users=80, seed=4, timestamps=True)
    assert file_hashes(out) == file_hashes(expected)
