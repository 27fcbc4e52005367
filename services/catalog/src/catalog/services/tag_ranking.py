"""Vectorised search over the tag index's arrays: match, score, order, cut the page.

Artists are addressed by their position in the index's ascending array of artist ids, so
the artist id order is the position order. One tag's artists are a :class:`TagColumn`; a
search scatters its tags' counts into one dense row per requested value (a few tens of
thousands of artists: cheaper than intersecting sparse lists), matches on those rows, scores
the candidates with a table lookup per tag, and sorts only the rows that can reach the page.

The answers are exactly those of the database's grouped query: the score adds the same
``math.log`` values in the same order (IEEE addition is the same in NumPy and in Python),
and ties fall to more listeners (or more relevance) and then to the lower artist id.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

Ints = npt.NDArray[np.int64]
Counts = npt.NDArray[np.int32]
Floats = npt.NDArray[np.float64]
Keys = npt.NDArray[np.int64] | npt.NDArray[np.float64]
"""A sort key per row: negated scores or popularity (ascending order = best first)."""


@dataclass(frozen=True, slots=True)
class TagColumn:
    """The artists carrying a tag (positions, ascending) and its assignments on each."""

    positions: Ints
    counts: Counts


class ScoredArtist(NamedTuple):
    """One artist of a search page (a tuple: twenty are made per search)."""

    artist_id: int
    listeners: int
    plays: int
    relevance: float
    counts: tuple[int, ...]
    """Assignments of each requested tag on the artist (0: not carried)."""


def log1p_table(largest: int) -> Floats:
    """``table[n] == math.log(n + 1)`` for 0 <= n <= largest: the scores' terms, computed
    by the same function as the database path's (``np.log`` may differ in the last bit)."""
    return np.array([math.log(n + 1) for n in range(largest + 1)], dtype=np.float64)


def counts_by_artist(groups: Sequence[Sequence[TagColumn]], artists: int) -> Counts:
    """One row per requested value, one column per artist: the value's assignments on the
    artist, summed over its tags (several tags answer a value in other letter cases)."""
    counts = np.zeros((len(groups), artists), np.int32)
    for row, columns in zip(counts, groups, strict=True):
        if columns:  # the first column on zeros: a plain assignment (one pass, not three)
            row[columns[0].positions] = columns[0].counts
        for column in columns[1:]:
            row[column.positions] += column.counts
    return counts


def matching(counts: Counts, *, every: bool) -> Ints:
    """Positions of the artists carrying every row's tags (``every``) or any row's."""
    carried = counts[0] != 0
    combine = np.logical_and if every else np.logical_or
    for row in counts[1:]:
        combine(carried, row, out=carried)
    return np.flatnonzero(carried)


def relevance(counts: Counts, log1p: Floats) -> Floats:
    """Sum over the rows of ln(1 + count), added row by row as the SQL adds them."""
    total: Floats = log1p[counts[0]]
    for row in counts[1:]:
        total += log1p[row]
    return total


def page_rows(primary: Keys, secondary: Keys, start: int, stop: int) -> Ints:
    """Row indices start..stop of the ascending (primary, secondary, row) order.

    Rows are in artist id order, so the stable sort settles the remaining ties by id. Only
    the rows whose primary key can reach the page (up to the ``stop``-th smallest, ties
    included) are sorted.
    """
    size = len(primary)
    if stop < size:
        bound = np.partition(primary, stop - 1)[stop - 1]
        rows = np.flatnonzero(primary <= bound)
    else:
        rows = np.arange(size)
    order = np.lexsort((secondary[rows], primary[rows]))
    return rows[order[start:stop]]
