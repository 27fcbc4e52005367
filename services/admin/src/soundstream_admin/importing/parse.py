"""Streaming reader for the tab-separated HetRec files.

A file is read in chunks of about a megabyte (never whole) and decoded with its own encoding.
Anything that makes a line unreadable is fatal and reported as ``file:line: reason``:
undecodable bytes, control characters, a wrong number of columns, a missing or unexpected
header, an empty line before the end of the file. A chunk is split into fields only when
asked (:attr:`Chunk.rows`): the all-numeric files are parsed straight from the bytes
(see ``numeric.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from soundstream_admin.importing.errors import DataFileError
from soundstream_admin.importing.formats import FileFormat

CHUNK_BYTES = 1 << 20

# Control characters never occur in the data; tab, LF and CR are the only ones allowed.
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# In a latin-1 file the bytes 0x80-0x9f decode to C1 control characters: text that was not
# latin-1 to begin with, so they count as undecodable.
_LATIN1_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class Chunk:
    """Consecutive data lines of a file: line ``first_line + i`` is row ``i``.

    ``data`` holds the raw lines, each ending with LF (CRLF already turned into LF).
    """

    __slots__ = ("_rows", "count", "data", "first_line", "fmt", "position", "text")

    def __init__(
        self, fmt: FileFormat, first_line: int, count: int, data: bytes, text: str, position: int
    ) -> None:
        self.fmt = fmt
        self.first_line = first_line
        self.count = count
        self.data = data
        self.text = text
        self.position = position  # bytes of the file consumed so far
        self._rows: list[list[str]] | None = None

    @property
    def rows(self) -> list[list[str]]:
        """The lines split on tabs; a line with the wrong number of columns is fatal."""
        if self._rows is None:
            rows = [line.split("\t") for line in self.text.split("\n")[: self.count]]
            _check_widths(rows, self.first_line, self.fmt)
            self._rows = rows
        return self._rows

    def lines(self) -> NDArray[np.int64]:
        """Line numbers of the chunk's rows."""
        return np.arange(self.first_line, self.first_line + self.count, dtype=np.int64)

    def line(self, index: int) -> int:
        return self.first_line + index


def read_chunks(path: Path, fmt: FileFormat, *, chunk_bytes: int = CHUNK_BYTES) -> Iterator[Chunk]:
    """Yield the data lines of ``path`` (after its header) in chunks."""
    control = _LATIN1_CONTROL if fmt.encoding == "latin-1" else _CONTROL
    with path.open("rb") as stream:
        _check_header(stream.readline(), fmt)
        line = 2
        blank_since: int | None = None  # first line of a run of empty lines
        while lines := stream.readlines(chunk_bytes):
            data = b"".join(lines)
            bad = control.search(data)
            if bad is not None:
                raise DataFileError(
                    fmt.name,
                    line + data.count(b"\n", 0, bad.start()),
                    f"undecodable byte 0x{data[bad.start()]:02x} (control character)",
                )
            if b"\r" in data:
                data = data.replace(b"\r\n", b"\n")
            # Empty lines are allowed at the end of the file only.
            body = data.rstrip(b"\n")
            count = body.count(b"\n") + 1 if body else 0
            trailing = len(data) - len(body)  # LFs after the last line with content
            blank = max(trailing - 1, 0) if body else trailing
            if count and blank_since is not None:
                raise DataFileError(fmt.name, blank_since, "empty line")
            if blank and blank_since is None:
                blank_since = line + count
            if count:
                body += b"\n"
                yield Chunk(fmt, line, count, body, _decode(body, line, fmt), stream.tell())
            line += count + blank


def _check_header(raw: bytes, fmt: FileFormat) -> None:
    if not raw:
        raise DataFileError(fmt.name, 1, "empty file: expected a header line")
    text = _decode(raw, 1, fmt).rstrip("\r\n").lstrip("\ufeff")
    fields = [field.strip() for field in text.split("\t")]
    expected = "\t".join(fmt.columns)
    if fields and fields[0].lstrip("-").isdigit():
        raise DataFileError(fmt.name, 1, f"missing header line (expected {expected!r})")
    if [field.lower() for field in fields] != [column.lower() for column in fmt.columns]:
        raise DataFileError(fmt.name, 1, f"unexpected header {text!r} (expected {expected!r})")


def _decode(data: bytes, first_line: int, fmt: FileFormat) -> str:
    try:
        return data.decode(fmt.encoding)
    except UnicodeDecodeError as exc:
        line = first_line + data.count(b"\n", 0, exc.start)
        raise DataFileError(
            fmt.name,
            line,
            f"undecodable bytes {data[exc.start : exc.end]!r} (not valid {fmt.encoding} text)",
        ) from None


def _check_widths(rows: list[list[str]], first_line: int, fmt: FileFormat) -> None:
    width = fmt.width
    if not rows or min(map(len, rows)) == width == max(map(len, rows)):
        return
    for offset, row in enumerate(rows):
        if len(row) != width:
            reason = (
                "empty line"
                if row == [""]
                else f"expected {width} tab-separated columns, found {len(row)}"
            )
            raise DataFileError(fmt.name, first_line + offset, reason)
