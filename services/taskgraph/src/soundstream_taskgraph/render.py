"""The graph as a picture: Mermaid, Graphviz DOT, and SVG or PNG laid out by Graphviz.

Each task is drawn with its last state and duration (from the run history) and coloured by
state; an edge goes from a dependency to the task that reads it. SVG and PNG are made by
Graphviz's ``dot`` program (the Debian package ``graphviz``), the layout engine itself.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping
from enum import StrEnum

from soundstream_taskgraph.declare import Graph
from soundstream_taskgraph.records import TaskRunRead

RENDER_TIMEOUT_SECONDS = 30


class ExportFormat(StrEnum):
    MERMAID = "mermaid"
    DOT = "dot"
    SVG = "svg"
    PNG = "png"

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self]


MEDIA_TYPES = {
    ExportFormat.MERMAID: "text/vnd.mermaid; charset=utf-8",
    ExportFormat.DOT: "text/vnd.graphviz; charset=utf-8",
    ExportFormat.SVG: "image/svg+xml",
    ExportFormat.PNG: "image/png",
}

COLOURS = {
    "pending": "#e0e0e0",
    "running": "#ffe082",
    "retrying": "#ffcc80",
    "succeeded": "#a5d6a7",
    "kept": "#b3e5fc",
    "failed": "#ef9a9a",
    "cancelled": "#cfd8dc",
}
NEVER_RUN = "#ffffff"


class GraphvizUnavailableError(RuntimeError):
    """The ``dot`` program is not installed (install the ``graphviz`` package)."""


class GraphvizFailedError(RuntimeError):
    """``dot`` rejected the graph or did not finish."""


def status_line(run: TaskRunRead | None) -> str:
    """``succeeded · 12.3 s``, ``kept``, ``never run``."""
    if run is None:
        return "never run"
    if run.duration_seconds is not None and run.state.value in ("succeeded", "failed"):
        return f"{run.state.value} · {run.duration_seconds:.1f} s"
    return run.state.value


def _dot_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(graph: Graph, states: Mapping[str, TaskRunRead] | None = None) -> str:
    """The graph in Graphviz's DOT language, left to right."""
    states = states or {}
    lines = [
        f"digraph {_dot_string(graph.name)} {{",
        "  graph [rankdir=LR, fontname=Helvetica, fontsize=12, labelloc=t, "
        f"label={_dot_string(graph.name)}];",
        '  node [shape=box, style="rounded,filled", fontname=Helvetica, fontsize=11];',
        '  edge [color="#607d8b"];',
    ]
    for name, task in graph.tasks.items():
        run = states.get(name)
        fill = COLOURS.get(run.state.value, NEVER_RUN) if run is not None else NEVER_RUN
        label = f"{name}\n{status_line(run)}"
        tooltip = task.description or name
        lines.append(
            f"  {_dot_string(name)} [label={_dot_string(label)}, "
            f'fillcolor="{fill}", tooltip={_dot_string(tooltip)}];'
        )
    for dep, name in graph.edges:
        lines.append(f"  {_dot_string(dep)} -> {_dot_string(name)};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _mermaid_id(name: str) -> str:
    return f"t_{name}"


def to_mermaid(graph: Graph, states: Mapping[str, TaskRunRead] | None = None) -> str:
    """The graph as a Mermaid flowchart, nodes classed by their last state."""
    states = states or {}
    lines = ["flowchart LR"]
    for name in graph.tasks:
        label = f"{name}<br/>{status_line(states.get(name))}".replace('"', "'")
        lines.append(f'    {_mermaid_id(name)}["{label}"]')
    for dep, name in graph.edges:
        lines.append(f"    {_mermaid_id(dep)} --> {_mermaid_id(name)}")
    used = {run.state.value for name, run in states.items() if name in graph.tasks}
    for state in sorted(used):
        lines.append(f"    classDef {state} fill:{COLOURS[state]},stroke:#546e7a")
        members = ",".join(_mermaid_id(n) for n, r in states.items() if r.state.value == state)
        lines.append(f"    class {members} {state}")
    return "\n".join(lines) + "\n"


def render_image(dot_source: str, fmt: ExportFormat) -> bytes:
    """SVG or PNG of ``dot_source``, laid out by Graphviz ``dot``."""
    if fmt not in (ExportFormat.SVG, ExportFormat.PNG):
        raise ValueError(f"{fmt} is not an image format")
    program = shutil.which("dot")
    if program is None:
        raise GraphvizUnavailableError(
            "Graphviz is not installed: the 'dot' program is needed for SVG and PNG "
            "(Debian/Ubuntu: apt-get install graphviz)"
        )
    try:
        done = subprocess.run(
            [program, f"-T{fmt.value}"],
            input=dot_source.encode(),
            capture_output=True,
            timeout=RENDER_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise GraphvizFailedError(f"dot did not finish in {RENDER_TIMEOUT_SECONDS} s") from exc
    if done.returncode != 0:
        raise GraphvizFailedError(done.stderr.decode(errors="replace").strip()[:500])
    return done.stdout


def export(
    graph: Graph, fmt: ExportFormat, states: Mapping[str, TaskRunRead] | None = None
) -> bytes:
    """The graph in ``fmt`` (text formats as UTF-8)."""
    if fmt is ExportFormat.MERMAID:
        return to_mermaid(graph, states).encode()
    source = to_dot(graph, states)
    if fmt is ExportFormat.DOT:
        return source.encode()
    return render_image(source, fmt)
