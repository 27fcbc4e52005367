"""Tab-separated writers for the data-set files: one header line, ``\\n`` line endings."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

import numpy as np
import numpy.typing as npt

CHUNK_ROWS = 200_000


def open_table(path: Path, header: Sequence[str]) -> BinaryIO:
    """Open ``path`` for binary writing and write the header line."""
    handle = open(path, "wb")  # noqa: SIM115 - the caller closes it
    handle.write(("\t".join(header) + "\n").encode("ascii"))
    return handle


def write_int_rows(handle: BinaryIO, columns: Sequence[npt.NDArray[np.integer]]) -> None:
    """Append rows of decimal integers, one column per array, a chunk at a time."""
    if not columns:
        return
    line = "\t".join(["%d"] * len(columns)) + "\n"
    for start in range(0, columns[0].shape[0], CHUNK_ROWS):
        block = np.column_stack([c[start : start + CHUNK_ROWS] for c in columns])
        handle.write(((line * block.shape[0]) % tuple(block.ravel().tolist())).encode("ascii"))


def write_text_rows(handle: BinaryIO, rows: Sequence[Sequence[str]], encoding: str) -> None:
    """Append text rows (values must hold no tab or newline) in ``encoding``."""
    for start in range(0, len(rows), CHUNK_ROWS):
        chunk = rows[start : start + CHUNK_ROWS]
        handle.write("".join("\t".join(row) + "\n" for row in chunk).encode(encoding))
