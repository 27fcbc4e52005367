"""The statistics maths on tiny inputs whose answers are worked out by hand."""

from __future__ import annotations

import math

import pytest

from listening import stats


def two_sided_p_for_four_pairs(r: float) -> float:
    """p-value of a correlation over n = 4 pairs: Student's t with 2 degrees of freedom.

    t = r * sqrt(n - 2) / sqrt(1 - r^2); for 2 degrees of freedom the two-sided tail is
    1 - |t| / sqrt(2 + t^2) in closed form.
    """
    t = r * math.sqrt(2) / math.sqrt(1 - r * r)
    return 1 - abs(t) / math.sqrt(2 + t * t)


@pytest.mark.parametrize(
    ("weights", "bits"),
    [
        ([5], 0.0),
        ([1, 1], 1.0),
        ([7, 7, 7, 7], 2.0),
        ([1, 3], -(0.25 * math.log2(0.25) + 0.75 * math.log2(0.75))),  # 0.811278...
        ([2, 1, 1], 1.5),  # shares 1/2, 1/4, 1/4
        ([], 0.0),
        ([0, 4], 0.0),  # zero weights do not count
    ],
)
def test_shannon_entropy_in_bits(weights: list[int], bits: float) -> None:
    assert stats.shannon_entropy(weights) == pytest.approx(bits)


def test_normalised_entropy_divides_by_the_maximum() -> None:
    assert stats.normalised_entropy([2, 1, 1]) == pytest.approx(1.5 / math.log2(3))
    assert stats.normalised_entropy([4, 4]) == pytest.approx(1.0)
    assert stats.normalised_entropy([9]) is None
    assert stats.normalised_entropy([]) is None


def test_grouped_entropy_matches_per_group_entropy() -> None:
    groups = [0, 0, 1, 1, 2]
    weights = [1, 1, 3, 1, 6]
    result = stats.grouped_entropy(groups, weights, 4)
    assert result.tolist() == pytest.approx([1.0, stats.shannon_entropy([3, 1]), 0.0, 0.0])
    assert stats.grouped_entropy([], [], 2).tolist() == [0.0, 0.0]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([3, 3, 3, 3], 0.0),
        ([0, 0, 0, 1], 0.75),  # (n - 1) / n: one holds everything
        ([1, 2, 3, 4], 0.25),  # (n - 1) / (3n) for 1..n
        ([1, 3], 0.25),  # 2 * (1*1 + 2*3) / (2 * 4) - 3/2
        ([1, 1, 4, 6], 0.375),  # 2 * 39 / (4 * 12) - 5/4
        ([8], 0.0),
    ],
)
def test_gini(values: list[int], expected: float) -> None:
    assert stats.gini(values) == pytest.approx(expected)


def test_gini_undefined_without_anything_to_share() -> None:
    assert stats.gini([]) is None
    assert stats.gini([0, 0]) is None


def test_top_share_takes_at_least_one_holder() -> None:
    assert stats.top_share([1, 1, 1, 7], 0.01) == pytest.approx(0.7)
    assert stats.top_share([1, 1, 1, 7], 0.5) == pytest.approx(0.8)  # the top 2 of 4
    assert stats.top_share(list(range(1, 21)), 0.1) == pytest.approx((20 + 19) / 210)
    assert stats.top_share([], 0.1) is None


def test_lorenz_curve_interpolates_between_holders() -> None:
    # Sorted 1, 1, 4, 6 of 12: after each quarter of the holders 1/12, 2/12, 6/12, 12/12.
    curve = stats.lorenz_curve([6, 1, 4, 1], 5)
    assert [x for x, _ in curve] == pytest.approx([0.0, 0.25, 0.5, 0.75, 1.0])
    assert [y for _, y in curve] == pytest.approx([0.0, 1 / 12, 2 / 12, 6 / 12, 1.0])
    halfway = stats.lorenz_curve([1, 3], 3)  # x = 0.5 is the first holder: 1/4
    assert [y for _, y in halfway] == pytest.approx([0.0, 0.25, 1.0])
    assert stats.lorenz_curve([], 5) == []


def test_log_binned_histogram() -> None:
    # Two bins per decade: edges 1, sqrt(10) = 3.16, 10; 3 falls below 3.16.
    bins = stats.log_binned_histogram([1, 1, 3, 1, 6], 2)
    assert [b.count for b in bins] == [4, 1]
    assert [b.lower for b in bins] == pytest.approx([1.0, math.sqrt(10)])
    assert [b.upper for b in bins] == pytest.approx([math.sqrt(10), 10.0])
    decades = stats.log_binned_histogram([5, 50, 500, 999], 1)
    assert [(b.lower, b.count) for b in decades] == [(1.0, 1), (10.0, 1), (100.0, 2)]
    assert stats.log_binned_histogram([], 4) == []


def test_quantiles_interpolate_linearly() -> None:
    assert stats.quantiles([1, 1, 1, 3, 6], [0, 0.25, 0.5, 0.75, 1]) == [1, 1, 1, 3, 6]
    assert stats.quantiles([10, 20], [0.5]) == [15.0]
    assert stats.quantiles([], [0.5]) is None


def test_pearson_and_spearman_with_p_values() -> None:
    # r = 0.8 over four pairs: t = 0.8 * sqrt(2) / 0.6, so p = 1 - |t| / sqrt(2 + t^2) = 0.2.
    pearson = stats.pearson([1, 2, 3, 4], [1, 3, 2, 4])
    assert pearson.coefficient == pytest.approx(0.8)
    assert pearson.p_value == pytest.approx(0.2)
    assert two_sided_p_for_four_pairs(0.8) == pytest.approx(0.2)
    spearman = stats.spearman([10, 20, 30, 40], [1, 9, 4, 16])  # ranks 1 3 2 4
    assert spearman.coefficient == pytest.approx(0.8)
    assert spearman.p_value == pytest.approx(0.2)


def test_spearman_uses_average_ranks_for_ties() -> None:
    # Ranks (4, 2.5, 2.5, 1) and (3.5, 3.5, 2, 1): rho = 3.75 / 4.5.
    result = stats.spearman([2, 1, 1, 0], [2, 2, 1, 0])
    assert result.coefficient == pytest.approx(3.75 / 4.5)
    assert result.p_value == pytest.approx(two_sided_p_for_four_pairs(3.75 / 4.5))


def test_perfect_correlation() -> None:
    result = stats.pearson([1, 2, 3], [2, 4, 6])
    assert result.coefficient == pytest.approx(1.0)
    assert result.p_value == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize(
    ("x", "y"),
    [([1, 2], [3, 4]), ([1, 1, 1], [1, 2, 3]), ([1, 2, 3], [5, 5, 5]), ([], [])],
)
def test_correlation_undefined(x: list[int], y: list[int]) -> None:
    assert stats.pearson(x, y) == stats.Correlation(None, None)
    assert stats.spearman(x, y) == stats.Correlation(None, None)


def test_percentile_rank_is_weak() -> None:
    population = [2, 4, 6, 0]
    assert stats.percentile_rank(population, 4) == 75.0
    assert stats.percentile_rank(population, 6) == 100.0
    assert stats.percentile_rank(population, -1) == 0.0
    assert stats.percentile_rank([], 1) is None


def test_frequency_table() -> None:
    assert stats.frequency_table([2, 1, 1, 0]) == [(0, 1), (1, 2), (2, 1)]
    assert stats.frequency_table([]) == []
