"""What the import stores, and its policies for irregular rows (docs/data.md), on small files."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from soundstream_admin.importing import DataFileError, run_import
from soundstream_admin.importing.dates import local_midnight_ms, midnight_ms

Writer = Callable[[Path, Mapping[str, str | bytes]], Path]
Query = Callable[[str, str], list[tuple[Any, ...]]]


def test_small_data_set_is_stored_as_the_services_expect(
    small_dataset: Path, import_targets: dict[str, str], query: Query
) -> None:
    report = run_import(small_dataset, import_targets, progress=False)
    catalog, listening = import_targets["catalog"], import_targets["listening"]

    assert query(
        catalog,
        "SELECT id, name, url, picture_url, search_name, is_placeholder FROM artists ORDER BY id",
    ) == [
        (1, "MALICE MIZER", "http://www.last.fm/music/MALICE+MIZER", "http://img/1.jpg",
         "malice mizer", False),
        (2, "Beyoncé", "http://www.last.fm/music/Beyonc%C3%A9", None, "beyonce", False),
        (3, 'The "Quoted" Band', "http://www.last.fm/music/Quoted", "http://img/3.jpg",
         'the "quoted" band', False),
        (4, "\\Eminem f_ Rihanna", "http://www.last.fm/music/Eminem", "http://img/4.jpg",
         "\\eminem f_ rihanna", False),
        (9, "Unknown artist #9", None, None, "unknown artist #9", True),
    ]  # fmt: skip
    assert query(catalog, "SELECT id, value FROM tags ORDER BY id") == [
        (1, "metal"),
        (2, "música brasileira"),
        (3, "rock"),
    ]
    assert query(catalog, "SELECT * FROM tag_assignments ORDER BY user_id, artist_id, tag_id") == [
        (2, 1, 1, midnight_ms(date(2009, 4, 1)), 1, 4, 2009, True),
        (2, 1, 2, midnight_ms(date(2009, 5, 1)), 1, 5, 2009, True),
        (3, 1, 1, midnight_ms(date(1956, 6, 1)), 1, 6, 1956, False),
        (3, 9, 3, midnight_ms(date(2010, 1, 1)), 1, 1, 2010, True),
        (5, 2, 3, midnight_ms(date(2008, 12, 1)), 1, 12, 2008, True),
    ]
    assert query(catalog, "SELECT id FROM user_refs ORDER BY id") == [(2,), (3,), (4,), (5,), (6,)]
    assert query(listening, "SELECT id FROM users ORDER BY id") == [(2,), (3,), (4,), (5,), (6,)]
    assert query(listening, "SELECT id FROM artist_refs ORDER BY id") == [
        (1,), (2,), (3,), (4,), (9,)
    ]  # fmt: skip
    assert query(catalog, "SELECT * FROM artist_popularity ORDER BY artist_id") == [
        (1, 2, 107),
        (2, 1, 50),
        (3, 1, 1),
        (4, 1, 20),
        (9, 0, 0),
    ]
    assert len(query(listening, "SELECT * FROM friendships")) == 6
    anomalies = report.anomalies
    assert dict(anomalies.placeholder_artists) == {9: 1}
    assert dict(anomalies.users_first_seen) == {
        "artists.dat": 0,
        "tags.dat": 0,
        "user_artists.dat": 3,
        "user_taggedartists.dat": 1,
        "user_friends.dat": 1,
    }
    assert dict(anomalies.invalid_dates.by_reason) == {"outside_window": 1}


def test_timestamp_form_imports_to_the_same_rows(
    small_dataset: Path,
    small_files: dict[str, str],
    dataset_writer: Writer,
    database_factory: Callable[[str], str],
    dump: Callable[..., dict[str, Any]],
    query: Query,
    tmp_path: Path,
) -> None:
    _header, *rows = small_files.pop("user_taggedartists.dat").splitlines()
    dates = [tuple(int(v) for v in row.split("\t")[3:]) for row in rows]

    def timestamps_form(stamp: Callable[[date], int]) -> str:
        lines = ["userID\tartistID\ttagID\ttimestamp"]
        for row, (day, month, year) in zip(rows, dates, strict=True):
            ids = "\t".join(row.split("\t")[:3])
            lines.append(f"{ids}\t{stamp(date(year, month, day))}")
        return "\n".join(lines) + "\n"

    by_day = {"catalog": database_factory("c1"), "listening": database_factory("l1")}
    utc = {"catalog": database_factory("c2"), "listening": database_factory("l2")}
    local = {"catalog": database_factory("c3"), "listening": database_factory("l3")}
    utc_dir = dataset_writer(
        tmp_path / "utc",
        {**small_files, "user_taggedartists-timestamps.dat": timestamps_form(midnight_ms)},
    )
    local_dir = dataset_writer(
        tmp_path / "local",
        {**small_files, "user_taggedartists-timestamps.dat": timestamps_form(local_midnight_ms)},
    )

    run_import(small_dataset, by_day, progress=False)
    report = run_import(utc_dir, utc, progress=False)
    run_import(local_dir, local, progress=False)

    assert report.source.assignments_file == "user_taggedartists-timestamps.dat"
    # Everything but the random epoch drawn by each database's migration.
    expected, actual = dump(by_day), dump(utc)
    for service in ("catalog", "listening"):
        assert expected.pop(f"{service}.dataset_version")[0][2] == 2
        assert actual.pop(f"{service}.dataset_version")[0][2] == 2
    assert actual == expected
    # The official release wrote local midnight in Madrid: the same calendar dates.
    fields = "SELECT user_id, artist_id, tag_id, day, month, year, date_valid FROM tag_assignments"
    assert sorted(query(local["catalog"], fields)) == sorted(query(by_day["catalog"], fields))


def test_unusable_rows_are_rejected_and_listed(
    small_files: dict[str, str],
    dataset_writer: Writer,
    import_targets: dict[str, str],
    query: Query,
    tmp_path: Path,
) -> None:
    small_files["user_artists.dat"] += "4\t1\t0\n"
    small_files["user_taggedartists.dat"] += "2\t2\t77\t1\t1\t2009\n2\t3\t1\t0\t1\t2009\n"
    small_files["user_taggedartists.dat"] += "2\t3\t1\t1\t13\t2009\n2\t3\t1\tx\t1\t2009\n"
    small_files["user_friends.dat"] += "7\t7\n"
    directory = dataset_writer(tmp_path / "odd", small_files)

    report = run_import(directory, import_targets, progress=False)

    assert [(r.file, r.line, r.reason) for r in report.rejects] == [
        ("user_artists.dat", 7, "weight 0 is not positive"),
        ("user_taggedartists.dat", 7, "tagID 77 is not in tags.dat"),
        (
            "user_taggedartists.dat",
            9,
            "same user, artist and tag as line 8, and neither date is a calendar date "
            "(both would be stored with timestamp 0)",
        ),
        (
            "user_taggedartists.dat",
            10,
            "same user, artist and tag as line 8, and neither date is a calendar date "
            "(both would be stored with timestamp 0)",
        ),
        ("user_friends.dat", 8, "self-friendship"),
    ]
    for stats in report.files.values():
        assert stats.read == stats.imported + stats.rejected
    assert report.files["user_taggedartists.dat"].rejected == 3
    # Users are created when first seen, even on a rejected row.
    assert (7,) in query(import_targets["listening"], "SELECT id FROM users")
    assert query(
        import_targets["catalog"],
        "SELECT day, month, year, timestamp_ms, date_valid FROM tag_assignments "
        "WHERE user_id = 2 AND artist_id = 3",
    ) == [(0, 1, 2009, 0, False)]
    assert dict(report.anomalies.invalid_dates.by_reason) == {
        "outside_window": 1,
        "not_a_calendar_date": 1,
    }


def test_invalid_timestamps_are_kept_and_flagged(
    small_files: dict[str, str],
    dataset_writer: Writer,
    import_targets: dict[str, str],
    query: Query,
    tmp_path: Path,
) -> None:
    small_files.pop("user_taggedartists.dat")
    small_files["user_taggedartists-timestamps.dat"] = (
        "userID\tartistID\ttagID\ttimestamp\n"
        "2\t1\t1\t1238536800000\n"
        "2\t1\t2\t0\n"
        "2\t2\t1\tsoon\n"
        "3\t1\t1\t-428720400000\n"
    )
    directory = dataset_writer(tmp_path / "stamps", small_files)

    report = run_import(directory, import_targets, progress=False)

    assert query(
        import_targets["catalog"],
        "SELECT user_id, artist_id, tag_id, timestamp_ms, day, month, year, date_valid "
        "FROM tag_assignments ORDER BY user_id, artist_id, tag_id",
    ) == [
        (2, 1, 1, 1238536800000, 1, 4, 2009, True),
        (2, 1, 2, 0, None, None, None, False),
        (2, 2, 1, 0, None, None, None, False),
        (3, 1, 1, -428720400000, 1, 6, 1956, False),
    ]
    assert dict(report.anomalies.invalid_dates.by_reason) == {
        "zero_timestamp": 1,
        "unparsable": 1,
        "outside_window": 1,
    }


def test_one_way_friendship_is_completed_and_reported(
    small_files: dict[str, str],
    dataset_writer: Writer,
    import_targets: dict[str, str],
    query: Query,
    tmp_path: Path,
) -> None:
    small_files["user_friends.dat"] = "userID\tfriendID\n2\t3\n3\t2\n4\t5\n"
    directory = dataset_writer(tmp_path / "one-way", small_files)

    report = run_import(directory, import_targets, progress=False)

    assert report.anomalies.asymmetric_friendships == 1
    assert report.anomalies.asymmetric_examples == [(4, 5)]
    assert sorted(query(import_targets["listening"], "SELECT * FROM friendships")) == [
        (2, 3),
        (3, 2),
        (4, 5),
        (5, 4),
    ]


def test_merge_updates_and_keeps_rows_replace_reloads(
    small_dataset: Path,
    small_files: dict[str, str],
    dataset_writer: Writer,
    import_targets: dict[str, str],
    query: Query,
    tmp_path: Path,
) -> None:
    run_import(small_dataset, import_targets, progress=False)
    small_files["user_artists.dat"] = "userID\tartistID\tweight\n2\t1\t999\n"
    smaller = dataset_writer(tmp_path / "smaller", small_files)
    listens = "SELECT user_id, artist_id, weight FROM listens ORDER BY user_id, artist_id"

    run_import(smaller, import_targets, progress=False)
    assert query(import_targets["listening"], listens) == [
        (2, 1, 999), (2, 2, 50), (3, 1, 7), (3, 3, 1), (4, 4, 20)
    ]  # fmt: skip
    assert query(
        import_targets["catalog"], "SELECT * FROM artist_popularity WHERE artist_id = 1"
    ) == [(1, 2, 1006)]

    run_import(smaller, import_targets, replace=True, progress=False)
    assert query(import_targets["listening"], listens) == [(2, 1, 999)]
    assert query(
        import_targets["catalog"], "SELECT * FROM artist_popularity WHERE artist_id = 1"
    ) == [(1, 1, 999)]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "2\t1\t100\n",
            "user_artists.dat:1: missing header line (expected 'userID\\tartistID\\tweight')",
        ),
        ("userID\tweight\tartistID\n2\t1\t100\n", "user_artists.dat:1: unexpected header"),
        ("userID\tartistID\tweight\n2\t1\t100\n\n3\t1\t7\n", "user_artists.dat:3: empty line"),
        ("userID\tartistID\tweight\n2\t0\t100\n", "user_artists.dat:2: artistID 0 out of range"),
        ("userID\tartistID\tweight\n2\t1\t1.5\n", "user_artists.dat:2: non-integer weight '1.5'"),
    ],
)
def test_malformed_files_are_fatal(
    content: str,
    message: str,
    small_files: dict[str, str],
    dataset_writer: Writer,
    import_targets: dict[str, str],
    tmp_path: Path,
) -> None:
    small_files["user_artists.dat"] = content
    directory = dataset_writer(tmp_path / "bad", small_files)

    with pytest.raises(DataFileError) as failure:
        run_import(directory, import_targets, progress=False)

    assert str(failure.value).startswith(message)


def test_windows_line_endings_and_trailing_empty_lines_are_accepted(
    small_files: dict[str, str],
    dataset_writer: Writer,
    import_targets: dict[str, str],
    tmp_path: Path,
) -> None:
    files: dict[str, str | bytes] = {
        name: content.replace("\n", "\r\n") + "\r\n\r\n" for name, content in small_files.items()
    }
    directory = dataset_writer(tmp_path / "crlf", files)

    report = run_import(directory, import_targets, progress=False)

    assert report.files["user_artists.dat"].imported == 5
    assert report.tables["catalog"]["artists"] == 5


def test_records_created_after_an_import_get_new_ids(
    small_dataset: Path, import_targets: dict[str, str]
) -> None:
    """The services' creates never collide with imported ids (PostgreSQL sequences advanced)."""
    run_import(small_dataset, import_targets, progress=False)
    for url, insert in (
        (import_targets["catalog"], "INSERT INTO tags (value) VALUES ('new tag') RETURNING id"),
        (
            import_targets["catalog"],
            "INSERT INTO artists (name, search_name) VALUES ('New', 'new') RETURNING id",
        ),
        (import_targets["listening"], "INSERT INTO users DEFAULT VALUES RETURNING id"),
    ):
        engine = create_engine(url)
        try:
            with engine.begin() as conn:
                new_id = conn.execute(text(insert)).scalar_one()
        finally:
            engine.dispose()
        table = insert.split()[2]
        imported_max = {"tags": 3, "artists": 9, "users": 6}[table]
        assert new_id > imported_max
