"""Duplicate-key detection for files of millions of rows.

The keys of every row are kept in numpy arrays (a few bytes per row and column, instead of a
Python set of tuples) together with their line numbers; at the end of the file one stable sort
brings equal keys together and the earliest repeated key is reported as ``file:line``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from soundstream_admin.importing.errors import DataFileError

IntArray = NDArray[np.int64]


class KeyLog:
    """The primary keys seen in one file, checked for duplicates once the file is read."""

    def __init__(self, file: str, names: Sequence[str]) -> None:
        self.file = file
        self.names = tuple(names)
        self._columns: list[list[IntArray]] = [[] for _ in self.names]
        self._lines: list[IntArray] = []

    def add(
        self, columns: Sequence[Sequence[int] | IntArray], lines: Sequence[int] | IntArray
    ) -> None:
        """Record one batch: ``columns[i][j]`` is key part ``i`` of the row on ``lines[j]``."""
        for store, column in zip(self._columns, columns, strict=True):
            store.append(np.asarray(column, dtype=np.int64))
        self._lines.append(np.asarray(lines, dtype=np.int64))

    def columns(self) -> list[IntArray]:
        """All recorded keys, one array per key part, in file order."""
        return [_concat(parts) for parts in self._columns]

    def check(self) -> None:
        """Raise :class:`DataFileError` at the first line that repeats an earlier key."""
        columns = self.columns()
        lines = _concat(self._lines)
        if len(lines) < 2:
            return
        # lexsort's last key is the primary one; the sort is stable, so equal keys stay in
        # file order.
        order = np.lexsort(columns[::-1])
        same = np.ones(len(order) - 1, dtype=bool)
        for column in columns:
            ordered = column[order]
            same &= ordered[1:] == ordered[:-1]
        if not same.any():
            return
        pairs = np.flatnonzero(same)
        repeat = int(pairs[np.argmin(lines[order[pairs + 1]])])
        first = repeat
        while first > 0 and same[first - 1]:
            first -= 1
        row = int(order[repeat + 1])
        key = ", ".join(
            f"{name} {int(column[row])}" for name, column in zip(self.names, columns, strict=True)
        )
        raise DataFileError(
            self.file,
            int(lines[row]),
            f"duplicate key ({key}), first seen at line {int(lines[order[first]])}",
        )


def _concat(parts: list[IntArray]) -> IntArray:
    if not parts:
        return np.zeros(0, dtype=np.int64)
    if len(parts) > 1:
        parts[:] = [np.concatenate(parts)]
    return parts[0]
