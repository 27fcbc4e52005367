"""Pictures of a graph: the DOT source read back by Graphviz itself equals the declaration;
SVG and PNG come out of Graphviz's layout; Mermaid names every task and edge."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime

import pytest

from soundstream_taskgraph import ExportFormat, Graph, Task, TaskContext, TaskRunRead, export
from soundstream_taskgraph.render import to_dot, to_mermaid
from soundstream_testing.prerequisites import require_program

from . import taskgraph_toy as toy


@pytest.fixture(autouse=True)
def graphviz() -> None:
    require_program("dot", "graphviz")


def noop(ctx: TaskContext) -> None:
    return None


def graphviz_reading(dot_source: str) -> tuple[dict[str, str], set[tuple[str, str]]]:
    """Graphviz's own parse of ``dot_source``: node labels by name, and the edges."""
    done = subprocess.run(
        ["dot", "-Tjson"], input=dot_source.encode(), capture_output=True, check=True
    )
    parsed = json.loads(done.stdout)
    objects = parsed.get("objects", [])
    names = [node["name"] for node in objects]
    labels = {node["name"]: node["label"] for node in objects}
    edges = {(names[edge["tail"]], names[edge["head"]]) for edge in parsed.get("edges", [])}
    return labels, edges


def last(state: str, seconds: float | None = None) -> TaskRunRead:
    now = datetime(2026, 6, 1, tzinfo=UTC)
    return TaskRunRead(
        task="x", state=state, attempts=1, started_at=now, finished_at=now, duration_seconds=seconds
    )


def test_the_dot_export_is_the_declared_graph() -> None:
    graph = toy.GRAPHS[0]
    labels, edges = graphviz_reading(export(graph, ExportFormat.DOT).decode())

    assert set(labels) == set(graph.tasks)
    assert edges == set(graph.edges)


def test_names_that_need_quoting_survive() -> None:
    graph = Graph(
        "svc.quoting",
        [Task("a", noop, description='says "hi"\\there'), Task("b", noop, depends_on=["a"])],
    )
    labels, edges = graphviz_reading(to_dot(graph))
    assert edges == {("a", "b")}
    assert labels["a"] == "a\\nnever run"


def test_states_and_durations_are_drawn() -> None:
    graph = toy.GRAPHS[0]
    states = {"start": last("succeeded", 1.25), "left": last("kept"), "right": last("failed", 3)}

    labels, _ = graphviz_reading(to_dot(graph, states))
    mermaid = to_mermaid(graph, states)

    assert labels["start"] == "start\\nsucceeded · 1.2 s"
    assert labels["left"] == "left\\nkept"
    assert labels["right"] == "right\\nfailed · 3.0 s"
    assert labels["join"] == "join\\nnever run"
    assert "t_start --> t_left" in mermaid
    assert "class t_right failed" in mermaid


def test_svg_and_png_are_laid_out_by_graphviz() -> None:
    graph = toy.GRAPHS[0]
    svg = export(graph, ExportFormat.SVG, {"join": last("succeeded", 2)}).decode()
    png = export(graph, ExportFormat.PNG)

    assert svg.lstrip().startswith("<?xml")
    assert "<svg" in svg
    assert svg.count('class="node"') == 4
    assert svg.count('class="edge"') == 4
    assert "succeeded · 2.0 s" in svg
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
