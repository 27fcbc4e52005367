"""Pure statistics over play counts (numpy/scipy; no database, no HTTP).

Conventions:
- Shannon entropy is in bits (log base 2) over the shares ``w / sum(w)``; the normalised
  entropy (Pielou's evenness) divides it by ``log2(k)`` for ``k`` positive values and is
  undefined (``None``) below two values.
- Gini uses the sorted-values formula ``2 * sum(i * x_i) / (n * sum(x)) - (n + 1) / n``
  (``i`` = 1..n ascending): 0 when everyone has the same, ``(n - 1) / n`` when one has all.
- The top ``f`` share is the share of the total held by the ``ceil(f * n)`` largest values
  (at least one).
- Percentile rank is "weak": the percentage of the population at or below the value.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import stats as sps

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def as_array(values: npt.ArrayLike) -> FloatArray:
    """``values`` as a one-dimensional float array."""
    return np.asarray(values, dtype=np.float64).reshape(-1)


def shannon_entropy(weights: npt.ArrayLike) -> float:
    """Entropy in bits of the distribution proportional to ``weights`` (0 when empty)."""
    w = as_array(weights)
    w = w[w > 0]
    if w.size == 0:
        return 0.0
    p = w / w.sum()
    return float(-(p * np.log2(p)).sum()) + 0.0


def normalised_entropy(weights: npt.ArrayLike) -> float | None:
    """Entropy divided by its maximum ``log2(k)``; ``None`` for fewer than two values."""
    w = as_array(weights)
    k = int((w > 0).sum())
    if k < 2:
        return None
    return shannon_entropy(w) / math.log2(k)


def grouped_entropy(groups: npt.ArrayLike, weights: npt.ArrayLike, n_groups: int) -> FloatArray:
    """Entropy in bits of each group's weights; ``groups`` are indexes in ``0..n_groups-1``."""
    g = np.asarray(groups, dtype=np.int64).reshape(-1)
    w = as_array(weights)
    totals = np.bincount(g, weights=w, minlength=n_groups)
    if w.size == 0:
        return np.zeros(n_groups, dtype=np.float64)
    p = w / totals[g]
    terms = np.where(p > 0, -p * np.log2(np.where(p > 0, p, 1.0)), 0.0)
    result: FloatArray = np.bincount(g, weights=terms, minlength=n_groups).astype(np.float64)
    return result


def gini(values: npt.ArrayLike) -> float | None:
    """Gini coefficient of non-negative values; ``None`` when empty or all zero."""
    x = np.sort(as_array(values))
    n = x.size
    total = x.sum()
    if n == 0 or total <= 0:
        return None
    ranks = np.arange(1, n + 1, dtype=np.float64)
    return float(2.0 * (ranks * x).sum() / (n * total) - (n + 1) / n) + 0.0


def top_share(values: npt.ArrayLike, fraction: float) -> float | None:
    """Share of the total held by the largest ``ceil(fraction * n)`` values (at least one)."""
    x = as_array(values)
    total = x.sum()
    if x.size == 0 or total <= 0:
        return None
    k = max(1, math.ceil(fraction * x.size - 1e-9))
    top = np.sort(x)[::-1][:k]
    return float(top.sum() / total)


def lorenz_curve(values: npt.ArrayLike, points: int) -> list[tuple[float, float]]:
    """``points`` (x, y) pairs of the Lorenz curve, x evenly spaced from 0 to 1.

    x is the share of holders (poorest first), y the share of the total they hold; the exact
    curve is interpolated linearly between holders.
    """
    x = np.sort(as_array(values))
    total = x.sum()
    if x.size == 0 or total <= 0:
        return []
    cum_x = np.arange(0, x.size + 1, dtype=np.float64) / x.size
    cum_y = np.concatenate([[0.0], np.cumsum(x) / total])
    grid = np.linspace(0.0, 1.0, points)
    curve = np.interp(grid, cum_x, cum_y)
    return [(float(a), float(b)) for a, b in zip(grid, curve, strict=True)]


@dataclass(frozen=True)
class Bin:
    """One histogram bin ``[lower, upper)`` (the last bin also holds ``upper``)."""

    lower: float
    upper: float
    count: int


def log_binned_histogram(values: npt.ArrayLike, bins_per_decade: int) -> list[Bin]:
    """Histogram of positive values over logarithmic bins, ``bins_per_decade`` per power of 10.

    Bin edges are ``10 ** (k / bins_per_decade)`` for whole ``k``, from the edge at or below
    the smallest value to the first edge above the largest.
    """
    x = as_array(values)
    x = x[x > 0]
    if x.size == 0:
        return []
    b = bins_per_decade
    low = math.floor(math.log10(x.min()) * b + 1e-9)
    high = math.floor(math.log10(x.max()) * b + 1e-9) + 1
    edges = 10.0 ** (np.arange(low, high + 1, dtype=np.float64) / b)
    counts, _ = np.histogram(x, bins=edges)
    return [
        Bin(lower=float(edges[i]), upper=float(edges[i + 1]), count=int(counts[i]))
        for i in range(counts.size)
    ]


def quantiles(values: npt.ArrayLike, probabilities: Sequence[float]) -> list[float] | None:
    """Linear-interpolation quantiles of ``values`` at ``probabilities``; ``None`` when empty."""
    x = as_array(values)
    if x.size == 0:
        return None
    return [float(q) for q in np.quantile(x, list(probabilities))]


@dataclass(frozen=True)
class Correlation:
    """A correlation coefficient with its two-sided p-value (``None`` when undefined)."""

    coefficient: float | None
    p_value: float | None


def _finite(value: Any) -> float | None:
    number = float(value)
    return number if math.isfinite(number) else None


def _correlation(method: Any, x: FloatArray, y: FloatArray) -> Correlation:
    if x.size < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return Correlation(None, None)
    result = method(x, y)
    return Correlation(_finite(result[0]), _finite(result[1]))


def pearson(x: npt.ArrayLike, y: npt.ArrayLike) -> Correlation:
    """Pearson's r; undefined with fewer than 3 pairs or a constant variable."""
    return _correlation(sps.pearsonr, as_array(x), as_array(y))


def spearman(x: npt.ArrayLike, y: npt.ArrayLike) -> Correlation:
    """Spearman's rho (average ranks for ties); undefined like :func:`pearson`."""
    return _correlation(sps.spearmanr, as_array(x), as_array(y))


def percentile_rank(population: npt.ArrayLike, value: float) -> float | None:
    """Percentage of ``population`` at or below ``value``; ``None`` for an empty population."""
    x = as_array(population)
    if x.size == 0:
        return None
    return float((x <= value + 1e-12).sum() * 100.0 / x.size)


def frequency_table(values: npt.ArrayLike) -> list[tuple[int, int]]:
    """(value, how many times it occurs) for each distinct integer value, ascending."""
    x = np.asarray(values, dtype=np.int64).reshape(-1)
    if x.size == 0:
        return []
    distinct, counts = np.unique(x, return_counts=True)
    return [(int(v), int(c)) for v, c in zip(distinct, counts, strict=True)]
