"""Network figures: a user's ego network and the training pipeline's DAG (networkx + Plotly)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import networkx as nx
import plotly.graph_objects as go

from dashboard.charts import ACCENT, MUTED, TEMPLATE

STEP_COLOURS = {
    "succeeded": "#2e7d32",
    "kept": "#0288d1",
    "running": "#f9a825",
    "retrying": "#ef6c00",
    "failed": "#c62828",
    "cancelled": "#78909c",
    "pending": "#cfd8dc",
}


def _edge_trace(graph: nx.Graph, positions: Mapping[Any, Any], width: float) -> go.Scatter:
    xs: list[float | None] = []
    ys: list[float | None] = []
    for source, target in graph.edges():
        xs += [positions[source][0], positions[target][0], None]
        ys += [positions[source][1], positions[target][1], None]
    return go.Scatter(
        x=xs, y=ys, mode="lines", line={"color": MUTED, "width": width}, hoverinfo="skip"
    )


def _bare_axes(fig: go.Figure, height: int, title: str) -> go.Figure:
    fig.update_layout(
        template=TEMPLATE,
        height=height,
        title=title,
        showlegend=False,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        xaxis={"visible": False},
        yaxis={"visible": False},
    )
    return fig


def ego_network_figure(
    centre: int,
    members: Sequence[int],
    edges: Sequence[tuple[int, int]],
    plays: Mapping[int, int],
) -> go.Figure:
    """The user in the middle, friends around, friendships among them as lines.

    Node size grows with the user's plays; the hover tells each friend's degree in the circle.
    """
    graph = nx.Graph()
    graph.add_nodes_from(members)
    graph.add_edges_from(edges)
    positions = nx.spring_layout(graph, seed=7, k=1.2 / max(1, len(members)) ** 0.5)
    nodes = list(graph.nodes())
    sizes = [10 + 4 * max(0.0, _log10(plays.get(node, 1)) - 1) for node in nodes]
    fig = go.Figure(_edge_trace(graph, positions, 0.8))
    fig.add_trace(
        go.Scatter(
            x=[positions[node][0] for node in nodes],
            y=[positions[node][1] for node in nodes],
            mode="markers+text" if len(nodes) <= 30 else "markers",
            text=[str(node) for node in nodes],
            textposition="top center",
            textfont={"size": 10},
            marker={
                "size": [
                    size * (1.6 if node == centre else 1)
                    for size, node in zip(sizes, nodes, strict=True)
                ],
                "color": [ACCENT if node == centre else "#546e7a" for node in nodes],
                "line": {"width": 1, "color": "white"},
            },
            customdata=[[graph.degree(node), plays.get(node, 0)] for node in nodes],
            hovertemplate="user %{text}<br>%{customdata[0]} links in this circle"
            "<br>%{customdata[1]:,} plays<extra></extra>",
        )
    )
    return _bare_axes(fig, 520, f"User {centre} and {len(nodes) - 1} friends")


def _log10(value: int) -> float:
    return math.log10(value) if value > 0 else 0.0


def pipeline_figure(
    steps: Sequence[Mapping[str, Any]],
    edges: Sequence[Sequence[str]],
    states: Mapping[str, str] | None = None,
) -> go.Figure:
    """The pipeline DAG drawn left to right by dependency level, coloured by step state."""
    graph = nx.DiGraph()
    graph.add_nodes_from(str(step["id"]) for step in steps)
    graph.add_edges_from((str(source), str(target)) for source, target in edges)
    for level, generation in enumerate(nx.topological_generations(graph)):
        for node in generation:
            graph.nodes[node]["level"] = level
    positions = nx.multipartite_layout(graph, subset_key="level")
    descriptions = {str(step["id"]): str(step.get("description", "")) for step in steps}
    states = states or {}
    nodes = list(graph.nodes())
    fig = go.Figure(_edge_trace(graph, positions, 1.5))
    fig.add_trace(
        go.Scatter(
            x=[positions[node][0] for node in nodes],
            y=[positions[node][1] for node in nodes],
            mode="markers+text",
            text=nodes,
            textposition="bottom center",
            marker={
                "size": 26,
                "symbol": "square",
                "color": [STEP_COLOURS.get(states.get(node, ""), "#90a4ae") for node in nodes],
                "line": {"width": 1, "color": "#37474f"},
            },
            customdata=[[states.get(node, "–"), descriptions[node]] for node in nodes],
            hovertemplate="<b>%{text}</b> (%{customdata[0]})<br>%{customdata[1]}<extra></extra>",
        )
    )
    return _bare_axes(fig, 440, "")
