"""Rows on their way to a table: numpy columns, and their encodings for COPY.

The large tables hold nothing but integers and booleans, so their rows travel as numpy
columns (:class:`Batch`): PostgreSQL receives them in COPY's binary format, built with one
structured-array conversion instead of a Python call per row; SQLite gets Python tuples.
Rows of text (artists, tags) travel as tuples and reach COPY in its text format.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

# Binary COPY: signature, flags, header extension length ... rows ... trailer.
_BINARY_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
_BINARY_TRAILER = struct.pack(">h", -1)
_BINARY_TYPES = {"int2": ">i2", "int4": ">i4", "int8": ">i8", "bool": "i1"}
_TEXT_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})

Row = Sequence[Any]


class Batch:
    """Rows as equally long numpy columns; ``nulls[i]`` marks the NULLs of column ``i``."""

    def __init__(
        self,
        columns: Sequence[NDArray[Any]],
        nulls: Mapping[int, NDArray[np.bool_]] | None = None,
    ) -> None:
        self.columns = list(columns)
        self.nulls = {index: mask for index, mask in (nulls or {}).items() if mask.any()}

    def __len__(self) -> int:
        return len(self.columns[0]) if self.columns else 0

    def rows(self) -> list[tuple[Any, ...]]:
        """The rows as Python tuples (None for NULL)."""
        values = [column.tolist() for column in self.columns]
        for index, mask in self.nulls.items():
            for row in np.flatnonzero(mask).tolist():
                values[index][row] = None
        return list(zip(*values, strict=True))

    def select(self, keep: NDArray[np.bool_]) -> Batch:
        return Batch(
            [column[keep] for column in self.columns],
            {index: mask[keep] for index, mask in self.nulls.items()},
        )

    def null_rows(self) -> NDArray[np.bool_]:
        """Rows holding at least one NULL."""
        rows = np.zeros(len(self), dtype=bool)
        for mask in self.nulls.values():
            rows |= mask
        return rows


def binary_copy(batch: Batch, types: Sequence[str]) -> bytes:
    """COPY binary data for a batch without NULLs (see :meth:`Batch.null_rows`)."""
    fields: list[tuple[str, str]] = [("count", ">i2")]
    for index, kind in enumerate(types):
        fields += [(f"length{index}", ">i4"), (f"value{index}", _BINARY_TYPES[kind])]
    data = np.empty(len(batch), dtype=np.dtype(fields))
    data["count"] = len(types)
    for index, (kind, column) in enumerate(zip(types, batch.columns, strict=True)):
        data[f"length{index}"] = np.dtype(_BINARY_TYPES[kind]).itemsize
        data[f"value{index}"] = column
    return _BINARY_HEADER + data.tobytes() + _BINARY_TRAILER


def text_copy(rows: Sequence[Row]) -> str:
    """COPY text data: tab-separated, ``\\N`` for NULL, backslash escapes."""
    return "".join("\t".join(map(_text_value, row)) + "\n" for row in rows)


def _text_value(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, str):
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            return value.translate(_TEXT_ESCAPES)
        return value
    return str(value)
