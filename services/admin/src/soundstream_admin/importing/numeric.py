"""All-integer chunks as numpy matrices.

The listens, tag-assignment and friendship files hold nothing but integers. A chunk made only
of digits, tabs and line feeds, with the right number of fields on every line, is parsed with
a few vectorised passes over its bytes. Anything else (a sign, a space, a letter, an empty
field, a very long number) goes through Python's ``int`` line by line, which also produces
the exact ``file:line`` error for malformed input.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
from numpy.typing import NDArray

from soundstream_admin.importing.errors import DataFileError
from soundstream_admin.importing.parse import Chunk

IntMatrix = NDArray[np.int64]

# Stands for a value that is not an integer in a column that tolerates it (the dates).
NOT_A_NUMBER = int(np.iinfo(np.int64).min)
_INT64_MAX = int(np.iinfo(np.int64).max)
_MAX_DIGITS = 18  # every 18-digit number fits in int64


def int_table(chunk: Chunk, *, lenient: Collection[int] = ()) -> IntMatrix:
    """The chunk as a (rows, columns) int64 matrix.

    A value that is not an integer is fatal, except in the ``lenient`` columns where it
    becomes :data:`NOT_A_NUMBER`.
    """
    fast = _parse_digits(chunk.data, chunk.fmt.width)
    if fast is not None and len(fast) == chunk.count:
        return fast
    return _parse_rows(chunk, lenient)


def _parse_digits(data: bytes, width: int) -> IntMatrix | None:
    buf = np.frombuffer(data, dtype=np.uint8)
    if not len(buf) or buf[-1] != ord("\n"):
        return None
    separator = (buf == ord("\t")) | (buf == ord("\n"))
    if not (separator | ((buf - ord("0")) < 10)).all():
        return None
    ends = np.flatnonzero(separator)
    if len(ends) % width:
        return None
    starts = np.empty_like(ends)
    starts[0] = 0
    starts[1:] = ends[:-1] + 1
    lengths = ends - starts
    if lengths.min() < 1 or lengths.max() > _MAX_DIGITS:
        return None
    kinds = buf[ends].reshape(-1, width)
    if not ((kinds[:, :-1] == ord("\t")).all() and (kinds[:, -1] == ord("\n")).all()):
        return None
    values = np.zeros(len(ends), dtype=np.int64)
    for position in range(int(lengths.max())):
        inside = lengths > position
        digits = buf[np.where(inside, starts + position, 0)].astype(np.int64) - ord("0")
        values = np.where(inside, values * 10 + digits, values)
    return values.reshape(-1, width)


def _parse_rows(chunk: Chunk, lenient: Collection[int]) -> IntMatrix:
    fmt = chunk.fmt
    table = np.empty((chunk.count, fmt.width), dtype=np.int64)
    for index, fields in enumerate(chunk.rows):
        for column, value in enumerate(fields):
            try:
                number = int(value)
            except ValueError:
                if column in lenient:
                    number = NOT_A_NUMBER
                else:
                    raise DataFileError(
                        fmt.name, chunk.line(index), f"non-integer {fmt.columns[column]} {value!r}"
                    ) from None
            if not NOT_A_NUMBER < number <= _INT64_MAX:
                if column not in lenient:
                    raise DataFileError(
                        fmt.name,
                        chunk.line(index),
                        f"{fmt.columns[column]} {number} out of range",
                    )
                number = NOT_A_NUMBER
            table[index, column] = number
    return table
