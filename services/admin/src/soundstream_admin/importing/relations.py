"""The three large files: listens, tag assignments and friendships.

They reach millions of rows, so each chunk is handled as a numpy matrix (``numeric.py``):
ids are range-checked, keys logged for the duplicate check, new users and placeholder artists
found, and rows rejected, all with array operations; Python touches single rows only to
report a reject or an anomaly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from soundstream_admin.importing import dates, formats, tables
from soundstream_admin.importing.dates import TagDate
from soundstream_admin.importing.errors import DataFileError
from soundstream_admin.importing.formats import FileFormat
from soundstream_admin.importing.keys import IntArray, KeyLog
from soundstream_admin.importing.loaders import Batch
from soundstream_admin.importing.numeric import NOT_A_NUMBER, int_table
from soundstream_admin.importing.parse import Chunk
from soundstream_admin.importing.report import MAX_EXAMPLES
from soundstream_admin.importing.stages import FileWriter, Importer


def load_listens(run: Importer, path: Path) -> None:
    """user_artists.dat -> listening.listens (users and placeholder artists on first sight)."""
    fmt = formats.LISTENS
    keys = KeyLog(fmt.name, ("user", "artist"))
    write = FileWriter()
    for chunk in run.chunks(fmt, path):
        table = int_table(chunk)
        run.check_ids(chunk, table, (0, 1))
        user, artist, weight = table[:, 0], table[:, 1], table[:, 2]
        keys.add((user, artist), chunk.lines())
        new_users = run.first_seen_users(user)
        rejected = weight <= 0
        for index in np.flatnonzero(rejected).tolist():
            run.reject(fmt, chunk.line(index), f"weight {int(weight[index])} is not positive")
        kept = table[~rejected]
        placeholders = run.placeholders(fmt, kept[:, 1])
        run.register(write, fmt, new_users, placeholders)
        write(run.listening, tables.LISTENS, Batch(list(kept.T)), update=True)
    write.finish(keys)


def load_friends(run: Importer, path: Path) -> None:
    """user_friends.dat -> listening.friendships, both directions of every friendship."""
    fmt = formats.FRIENDS
    keys = KeyLog(fmt.name, ("user", "friend"))
    write = FileWriter()
    for chunk in run.chunks(fmt, path):
        table = int_table(chunk)
        run.check_ids(chunk, table, (0, 1))
        user, friend = table[:, 0], table[:, 1]
        keys.add((user, friend), chunk.lines())
        new_users = run.first_seen_users(user, friend)
        rejected = user == friend
        for index in np.flatnonzero(rejected).tolist():
            run.reject(fmt, chunk.line(index), "self-friendship")
        run.register(write, fmt, new_users, [])
        write(run.listening, tables.FRIENDSHIPS, Batch(list(table[~rejected].T)), update=False)
    write.finish(keys)
    _complete_friendships(run, keys, write)


def _complete_friendships(run: Importer, keys: KeyLog, write: FileWriter) -> None:
    """Store the missing direction of one-way friendships, counted as anomalies."""
    user, friend = keys.columns()
    if not len(user):
        return
    pairs = np.unique((user << 31) | friend)  # sorted; ids are below 2**31
    reverse = (friend << 31) | user
    position = np.minimum(np.searchsorted(pairs, reverse), len(pairs) - 1)
    one_way = (user != friend) & (pairs[position] != reverse)
    anomalies = run.report.anomalies
    anomalies.asymmetric_friendships = int(one_way.sum())
    examples = np.stack([user[one_way], friend[one_way]], axis=1)[:MAX_EXAMPLES]
    anomalies.asymmetric_examples = [(int(a), int(b)) for a, b in examples.tolist()]
    reverse_rows = Batch([friend[one_way], user[one_way]])
    write(run.listening, tables.FRIENDSHIPS, reverse_rows, update=False)
    write.finish()


def load_assignments(run: Importer, path: Path, fmt: FileFormat) -> None:
    """user_taggedartists[-timestamps].dat -> catalog.tag_assignments.

    Dates that are not valid are kept and flagged (``date_valid = False``). Rows whose date is
    not a calendar date are stored with timestamp 0, so two of them for the same user, artist
    and tag would share a primary key: the later one is rejected, naming the earlier.
    """
    keys = KeyLog(fmt.name, ("user", "artist", "tag", "timestamp_ms"))
    write = FileWriter()
    zero_stamps: dict[tuple[int, int, int], tuple[int, str]] = {}
    date_columns = tuple(range(3, fmt.width))
    for chunk in run.chunks(fmt, path):
        table = int_table(chunk, lenient=date_columns)
        run.check_ids(chunk, table, (0, 1, 2))
        user, artist, tag = table[:, 0], table[:, 1], table[:, 2]
        new_users = run.first_seen_users(user)
        when = _resolve_dates(table[:, 3:], fmt)
        stamp = when["timestamp_ms"]
        rejected = _same_key_zero_stamps(run, chunk, table, stamp, zero_stamps)
        keyed = stamp != 0
        keys.add((user[keyed], artist[keyed], tag[keyed], stamp[keyed]), chunk.lines()[keyed])
        unknown_tag = ~rejected & ~np.isin(tag, run.tag_ids)
        for index in np.flatnonzero(unknown_tag).tolist():
            run.reject(
                fmt, chunk.line(index), f"tagID {int(tag[index])} is not in {formats.TAGS.name}"
            )
        kept = ~(rejected | unknown_tag)
        placeholders = run.placeholders(fmt, artist[kept])
        _count_invalid_dates(run, chunk, table, when, kept)
        rows = Batch(
            [user, artist, tag, stamp, when["day"], when["month"], when["year"], when["valid"]],
            nulls={4: when["no_day"], 5: when["no_month"], 6: when["no_year"]},
        ).select(kept)
        run.register(write, fmt, new_users, placeholders)
        write(run.catalog, tables.TAG_ASSIGNMENTS, rows, update=True)
    write.finish(keys)


# Date problems as small integer codes in arrays: 0 = valid, else 1 + index in this list.
_PROBLEMS = list(dates.DateProblem)


def _problem_code(date: TagDate) -> int:
    return 0 if date.problem is None else 1 + _PROBLEMS.index(date.problem)


def _resolve_dates(values: IntArray, fmt: FileFormat) -> dict[str, Any]:
    """Stored date fields per row; each distinct source date is resolved once by dates.py."""
    packed = _pack(values)
    if packed is not None:
        _, first, inverse = np.unique(packed, return_index=True, return_inverse=True)
        distinct = values[first]
    else:
        distinct, inverse = np.unique(values, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    resolved: list[TagDate] = []
    for row in distinct.tolist():
        text = ["" if value == NOT_A_NUMBER else str(value) for value in row]
        resolved.append(
            dates.from_day_month_year(*text)
            if fmt is formats.ASSIGNMENTS_DATES
            else dates.from_timestamp_ms(text[0])
        )

    def column(name: str) -> IntArray:
        values = [getattr(date, name) for date in resolved]
        return np.array([0 if value is None else value for value in values])[inverse]

    def missing(name: str) -> Any:
        return np.array([getattr(date, name) is None for date in resolved])[inverse]

    problems = np.array([_problem_code(date) for date in resolved])[inverse]
    return {
        "timestamp_ms": column("timestamp_ms"),
        "day": column("day"),
        "month": column("month"),
        "year": column("year"),
        "no_day": missing("day"),
        "no_month": missing("month"),
        "no_year": missing("year"),
        "valid": problems == 0,
        "problem": problems,
    }


def _pack(values: IntArray) -> IntArray | None:
    """One int64 per row holding all its date columns, when they are small enough."""
    if values.shape[1] == 1:
        return values[:, 0]
    if values.min() < 0 or values.max() >= 1 << 20 or values.shape[1] > 3:
        return None
    packed = np.zeros(len(values), dtype=np.int64)
    for column in range(values.shape[1]):
        packed = (packed << 20) | values[:, column]
    return packed


def _raw_date(chunk: Chunk, table: IntArray, index: int) -> str:
    """The date fields of a row as written in the file (rebuilt from the numbers if parsed)."""
    values = table[index, 3:].tolist()
    if NOT_A_NUMBER in values:
        return "\t".join(chunk.rows[index][3:])
    return "\t".join(str(value) for value in values)


def _same_key_zero_stamps(
    run: Importer,
    chunk: Chunk,
    table: IntArray,
    stamp: IntArray,
    seen: dict[tuple[int, int, int], tuple[int, str]],
) -> Any:
    """Reject rows that would repeat the key of an earlier row stored with timestamp 0."""
    rejected = np.zeros(len(stamp), dtype=bool)
    for index in np.flatnonzero(stamp == 0).tolist():
        line = chunk.line(index)
        user, artist, tag = (int(value) for value in table[index, :3])
        raw = _raw_date(chunk, table, index)
        first_line, first_raw = seen.setdefault((user, artist, tag), (line, raw))
        if first_line == line:
            continue
        if first_raw == raw:
            raise DataFileError(
                chunk.fmt.name,
                line,
                f"duplicate key (user {user}, artist {artist}, tag {tag}, date {raw!r}), "
                f"first seen at line {first_line}",
            )
        run.reject(
            chunk.fmt,
            line,
            f"same user, artist and tag as line {first_line}, and neither date is a calendar "
            "date (both would be stored with timestamp 0)",
        )
        rejected[index] = True
    return rejected


def _count_invalid_dates(
    run: Importer, chunk: Chunk, table: IntArray, when: dict[str, Any], kept: Any
) -> None:
    invalid = run.report.anomalies.invalid_dates
    for index in np.flatnonzero(kept & ~when["valid"]).tolist():
        problem = _PROBLEMS[int(when["problem"][index]) - 1]
        examples_wanted = len(invalid.examples) < MAX_EXAMPLES
        raw = _raw_date(chunk, table, index) if examples_wanted else ""
        year = None if when["no_year"][index] else int(when["year"][index])
        invalid.add(chunk.fmt.name, chunk.line(index), raw, problem.value, year)
