"""Plotly figures built from plain data; no Streamlit here, so each one is easy to test."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

ACCENT = "#d51007"
MUTED = "#9aa0a6"
PALETTE = px.colors.qualitative.Bold
TEMPLATE = "plotly_white"
METRIC_NAMES = {
    "ndcg_at_10": "nDCG@10",
    "precision_at_10": "P@10",
    "recall_at_10": "R@10",
    "coverage": "coverage",
}


def _layout(fig: go.Figure, height: int = 380, **kwargs: Any) -> go.Figure:
    fig.update_layout(
        template=TEMPLATE,
        height=height,
        margin={"l": 10, "r": 10, "t": 70, "b": 10},
        legend={
            "orientation": "h",
            "yanchor": "bottom",
            "y": 1.0,
            "xanchor": "right",
            "x": 1,
            "title": {"text": ""},
        },
        **kwargs,
    )
    return fig


def top_artists_bar(frame: pd.DataFrame, by: str) -> go.Figure:
    """Horizontal bars, the leader on top, the other measure in the hover."""
    other = "listeners" if by == "plays" else "plays"
    fig = px.bar(
        frame.iloc[::-1],
        x=by,
        y="name",
        orientation="h",
        text=by,
        hover_data={other: ":,", by: ":,", "name": False},
        labels={"plays": "Plays", "listeners": "Listeners", "name": ""},
        color_discrete_sequence=[ACCENT],
    )
    fig.update_traces(texttemplate="%{text:.3s}", textposition="outside", cliponaxis=False)
    return _layout(fig, height=420, title=f"Top {len(frame)} artists by {by}")


def weight_histogram(bins: Sequence[dict[str, Any]]) -> go.Figure:
    """Listens per weight bin on log–log axes: the heavy tail shows as a straight slope."""
    centres = [math.sqrt(b["lower"] * b["upper"]) for b in bins if b["count"] > 0]
    counts = [b["count"] for b in bins if b["count"] > 0]
    ranges = [f"{b['lower']:,.0f}–{b['upper']:,.0f}" for b in bins if b["count"] > 0]
    fig = go.Figure(
        go.Scatter(
            x=centres,
            y=counts,
            customdata=ranges,
            mode="lines+markers",
            line={"color": ACCENT},
            fill="tozeroy",
            fillcolor="rgba(213,16,7,0.12)",
            hovertemplate="plays %{customdata}<br>%{y:,} listens<extra></extra>",
        )
    )
    fig.update_xaxes(type="log", dtick=1, title="plays of an artist by a user (weight)")
    fig.update_yaxes(type="log", dtick=1, title="user–artist pairs")
    return _layout(fig, title="How often a user plays an artist")


def lorenz_curve(points: Sequence[dict[str, Any]], gini: float | None) -> go.Figure:
    """Share of plays held by the least played share of artists, against perfect equality."""
    x = [p["artists_share"] for p in points]
    y = [p["plays_share"] for p in points]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=[0, 1],
            y=[0, 1],
            mode="lines",
            name="perfect equality",
            line={"color": MUTED, "dash": "dash"},
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=y,
            mode="lines",
            name="artists' plays",
            line={"color": ACCENT, "width": 3},
            fill="tonexty",
            fillcolor="rgba(213,16,7,0.10)",
            hovertemplate="the least played %{x:.0%} of artists<br>"
            "get %{y:.1%} of all plays<extra></extra>",
        )
    )
    fig.update_xaxes(title="share of artists (least played first)", tickformat=".0%")
    fig.update_yaxes(title="share of plays", tickformat=".0%")
    title = "Lorenz curve of plays per artist" + (f" — Gini {gini:.3f}" if gini else "")
    return _layout(fig, title=title)


def trend_line(
    x: npt.ArrayLike, y: npt.ArrayLike, *, log_y: bool = False, points: int = 50
) -> tuple[list[float], list[float]]:
    """Least-squares line through the points (fitted to log10 y when ``log_y``), sampled
    at ``points`` x values; empty when there is nothing to fit."""
    xs, ys = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    keep = np.isfinite(xs) & np.isfinite(ys) & ((ys > 0) if log_y else True)
    xs, ys = xs[keep], np.log10(ys[keep]) if log_y else ys[keep]
    if len(xs) < 2 or np.ptp(xs) == 0:
        return [], []
    slope, intercept = np.polyfit(xs, ys, 1)
    grid = np.linspace(xs.min(), xs.max(), points)
    fitted = slope * grid + intercept
    return grid.tolist(), (10**fitted if log_y else fitted).tolist()


def friends_scatter(frame: pd.DataFrame, y: str, y_label: str, *, log_y: bool = False) -> go.Figure:
    """One dot per user (friends vs ``y``) with the least-squares trend line."""
    fig = px.scatter(
        frame,
        x="friends",
        y=y,
        color=np.log10(frame["plays"].clip(lower=1)),
        color_continuous_scale="Reds",
        opacity=0.65,
        hover_data={"id": True, "plays": ":,", "friends": True, y: True},
        labels={"friends": "friends", y: y_label, "color": "log₁₀ plays", "id": "user"},
    )
    line_x, line_y = trend_line(frame["friends"], frame[y], log_y=log_y)
    if line_x:
        fig.add_trace(
            go.Scatter(
                x=line_x,
                y=line_y,
                mode="lines",
                name="trend (least squares)",
                line={"color": "#1f1f1f", "width": 2, "dash": "dot"},
            )
        )
    fig.update_coloraxes(colorbar_title="log₁₀ plays")
    if log_y:
        fig.update_yaxes(type="log", dtick=1)
    return _layout(fig, height=440, title=f"Friends vs {y_label}")


def degree_distribution(points: Sequence[dict[str, Any]]) -> go.Figure:
    """How many users have k friends, on log–log axes."""
    frame = pd.DataFrame(points, columns=["friends", "users"])
    frame = frame[(frame["friends"] > 0) & (frame["users"] > 0)]
    fig = px.scatter(
        frame,
        x="friends",
        y="users",
        log_x=True,
        log_y=True,
        labels={"friends": "friends (degree)", "users": "users"},
        color_discrete_sequence=[ACCENT],
    )
    fig.update_xaxes(dtick=1)
    fig.update_yaxes(dtick=1)
    return _layout(fig, title="Degree distribution of the friendship graph")


def timeline_lines(series: dict[str, pd.DataFrame], value: str, title: str) -> go.Figure:
    """One line per tag over time (``value`` is the column to draw)."""
    fig = go.Figure()
    for index, (name, frame) in enumerate(series.items()):
        fig.add_trace(
            go.Scatter(
                x=frame["period"],
                y=frame[value],
                name=name,
                mode="lines+markers",
                line={"color": PALETTE[index % len(PALETTE)], "width": 2},
                marker={"size": 5},
            )
        )
    if value == "share":
        fig.update_yaxes(tickformat=".1%")
    return _layout(fig, height=420, title=title, hovermode="x unified")


def similar_tags_bar(frame: pd.DataFrame, measure: str) -> go.Figure:
    """Similar tags by score, the closest on top."""
    fig = px.bar(
        frame.iloc[::-1],
        x="score",
        y="value",
        orientation="h",
        hover_data={"shared_artists": True, "artists": True},
        labels={"score": f"{measure} similarity", "value": ""},
        color_discrete_sequence=[PALETTE[0]],
    )
    return _layout(fig, height=420, title="Similar tags")


def metrics_bars(metrics: Sequence[dict[str, Any]]) -> go.Figure:
    """Test metrics per algorithm, grouped by metric."""
    rows = [
        {"algorithm": m["algorithm"], "metric": METRIC_NAMES[name], "value": m.get(name)}
        for m in metrics
        for name in METRIC_NAMES
        if m.get(name) is not None
    ]
    fig = px.bar(
        pd.DataFrame(rows, columns=["algorithm", "metric", "value"]),
        x="metric",
        y="value",
        color="algorithm",
        barmode="group",
        color_discrete_sequence=PALETTE,
        labels={"metric": "", "value": ""},
    )
    return _layout(fig, height=400, title="Offline metrics per algorithm (test split)")


def metric_history(frame: pd.DataFrame, metric: str) -> go.Figure:
    """One metric of each algorithm across model versions."""
    fig = px.line(
        frame,
        x="trained_at",
        y=metric,
        color="algorithm",
        markers=True,
        color_discrete_sequence=PALETTE,
        labels={"trained_at": "trained at", metric: METRIC_NAMES.get(metric, metric)},
    )
    return _layout(fig, height=360, title=f"{METRIC_NAMES.get(metric, metric)} across versions")


def task_durations(frame: pd.DataFrame) -> go.Figure:
    """How long each task of a graph took in each run it ran in (kept tasks take none),
    one line per task across runs."""
    fig = px.line(
        frame,
        x="run_started",
        y="duration_seconds",
        color="task",
        markers=True,
        color_discrete_sequence=PALETTE,
        labels={"run_started": "run started", "duration_seconds": "seconds"},
    )
    return _layout(fig, height=360, title="Task durations over time")


def monthly_activity(frame: pd.DataFrame) -> go.Figure:
    """Tag assignments and first-time taggers per month, from the warehouse's daily rows."""
    monthly = (
        frame.set_index("day")[["assignments", "new_taggers", "new_tags"]]
        .resample("MS")
        .sum()
        .reset_index()
    )
    fig = go.Figure()
    for index, (column, name) in enumerate(
        (
            ("assignments", "Tag assignments"),
            ("new_taggers", "New taggers"),
            ("new_tags", "New tags"),
        )
    ):
        fig.add_trace(
            go.Scatter(
                x=monthly["day"],
                y=monthly[column],
                name=name,
                mode="lines",
                line={"color": PALETTE[index % len(PALETTE)], "width": 2},
                yaxis="y" if column == "assignments" else "y2",
            )
        )
    fig.update_layout(
        yaxis={"title": "assignments"},
        yaxis2={"title": "new taggers / tags", "overlaying": "y", "side": "right"},
    )
    return _layout(fig, height=420, title="Tagging activity per month", hovermode="x unified")


def running_totals(frame: pd.DataFrame) -> go.Figure:
    """The running totals of assignments and taggers (the cumulative metrics)."""
    fig = px.line(
        frame,
        x="day",
        y=["total_assignments", "total_taggers"],
        labels={"value": "", "day": "", "variable": ""},
        color_discrete_sequence=[ACCENT, MUTED],
        log_y=True,
    )
    return _layout(fig, title="Running totals (log scale)", hovermode="x unified")


def genre_bar(frame: pd.DataFrame) -> go.Figure:
    """The dominant genres: genre tags only, spelling variants merged."""
    fig = px.bar(
        frame.iloc[::-1],
        x="assignments",
        y="genre",
        orientation="h",
        hover_data={"spellings": True},
        labels={"assignments": "Tag assignments", "genre": ""},
        color_discrete_sequence=[ACCENT],
    )
    return _layout(fig, height=440, title="Dominant genres (variants merged, non-genre tags out)")


def quality_trend(frame: pd.DataFrame, measures: Sequence[str]) -> go.Figure:
    """Each quality measure across the reports, oldest first."""
    ordered = frame.sort_values("created_at")
    fig = px.line(
        ordered,
        x="created_at",
        y=list(measures),
        markers=True,
        labels={"value": "", "created_at": "report", "variable": ""},
        color_discrete_sequence=PALETTE,
    )
    return _layout(fig, title="Data quality across reports")
