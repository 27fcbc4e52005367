"""The figures show what the data says: trend lines, log axes, the Lorenz curve, graphs."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from dashboard import charts, graphs


def test_the_trend_line_is_the_least_squares_fit() -> None:
    xs, ys = charts.trend_line([0, 1, 2, 3], [1, 3, 5, 7], points=4)
    assert xs == [0.0, 1.0, 2.0, 3.0]
    assert ys == pytest.approx([1.0, 3.0, 5.0, 7.0])


def test_a_log_trend_line_is_fitted_to_the_logarithm_and_skips_zeros() -> None:
    xs, ys = charts.trend_line([1, 2, 3, 4], [10, 100, 0, 10_000], log_y=True, points=2)
    assert xs == [1.0, 4.0]
    assert ys == pytest.approx([10.0, 10_000.0])


def test_no_trend_line_without_spread_in_x() -> None:
    assert charts.trend_line([5, 5, 5], [1, 2, 3]) == ([], [])
    assert charts.trend_line([1], [1]) == ([], [])


def test_the_weight_histogram_uses_log_axes_and_bin_centres() -> None:
    bins = [
        {"lower": 1.0, "upper": 10.0, "count": 5},
        {"lower": 10.0, "upper": 100.0, "count": 0},
        {"lower": 100.0, "upper": 1000.0, "count": 2},
    ]
    fig = charts.weight_histogram(bins)
    assert fig.layout.xaxis.type == "log"
    assert fig.layout.yaxis.type == "log"
    trace = fig.data[0]
    assert list(trace.y) == [5, 2]  # empty bins cannot be drawn on a log axis
    assert list(trace.x) == pytest.approx([math.sqrt(10), math.sqrt(100_000)])


def test_the_lorenz_curve_sits_against_the_line_of_equality() -> None:
    points = [{"artists_share": s / 4, "plays_share": (s / 4) ** 3} for s in range(5)]
    fig = charts.lorenz_curve(points, 0.62)
    equality, curve = fig.data
    assert list(equality.x) == [0, 1]
    assert list(equality.y) == [0, 1]
    assert list(curve.y) == [p["plays_share"] for p in points]
    assert "Gini 0.620" in fig.layout.title.text


def test_the_friends_scatter_has_one_dot_per_user_and_a_trend_line() -> None:
    users = pd.DataFrame(
        {"id": [1, 2, 3], "friends": [1, 5, 9], "artists": [10, 30, 50], "plays": [5, 50, 500]}
    )
    fig = charts.friends_scatter(users, "artists", "distinct artists")
    dots, trend = fig.data
    assert len(dots.x) == 3
    assert trend.name == "trend (least squares)"
    assert next(iter(trend.y)) == pytest.approx(10.0)
    assert list(trend.y)[-1] == pytest.approx(50.0)


def test_the_ego_network_draws_every_friend_and_friendship() -> None:
    edges = [(1, 2), (1, 3), (1, 4), (2, 3)]
    fig = graphs.ego_network_figure(1, [1, 2, 3, 4], edges, {1: 1000, 2: 10})
    lines, nodes = fig.data
    assert len(nodes.x) == 4
    assert sum(x is None for x in lines.x) == len(edges)  # one break after each edge
    assert nodes.marker.color[list(nodes.text).index("1")] == charts.ACCENT


def test_the_pipeline_is_laid_out_by_dependency_level_and_coloured_by_state() -> None:
    steps = [{"id": name} for name in ("snapshot", "train_a", "train_b", "publish")]
    edges = [["snapshot", "train_a"], ["snapshot", "train_b"], ["train_a", "publish"]]
    edges.append(["train_b", "publish"])
    states = {"snapshot": "kept", "train_a": "succeeded", "train_b": "running"}
    fig = graphs.pipeline_figure(steps, edges, states)
    nodes = fig.data[1]
    x = dict(zip(nodes.text, nodes.x, strict=True))
    assert x["snapshot"] < x["train_a"] == x["train_b"] < x["publish"]
    colour = dict(zip(nodes.text, nodes.marker.color, strict=True))
    assert colour["snapshot"] == graphs.STEP_COLOURS["kept"]
    assert colour["train_a"] == graphs.STEP_COLOURS["succeeded"]
    assert colour["train_b"] == graphs.STEP_COLOURS["running"]
    assert len({colour["snapshot"], colour["train_a"], colour["train_b"]}) == 3


def test_task_durations_follow_each_task_across_runs() -> None:
    frame = pd.DataFrame(
        {
            "task": ["snapshot", "train_als", "snapshot"],
            "run_started": pd.to_datetime(["2026-12-01", "2026-12-01", "2026-12-02"]),
            "duration_seconds": [1.0, 17.0, 2.0],
        }
    )
    fig = charts.task_durations(frame)
    lines = {trace.name: list(trace.y) for trace in fig.data}
    assert lines == {"snapshot": [1.0, 2.0], "train_als": [17.0]}
    assert fig.layout.title.text == "Task durations over time"
