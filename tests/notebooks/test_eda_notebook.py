"""The EDA notebook runs top to bottom against the live stack and draws its figures.

The executed copy is written to ``var/test-artifacts/notebooks/eda.ipynb`` and its figures,
as PNG files, to ``var/test-artifacts/notebooks/figures/`` for inspection; the committed
notebook (with its outputs) and its committed figures (``notebooks/figures/``) are not
touched. Every figure is in the notebook twice: Plotly's interactive output and a PNG, the
one GitHub and offline viewers show.
"""

from __future__ import annotations

import base64
import re
import shutil
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

from soundstream_testing.stack import LiveStack

pytestmark = pytest.mark.realdata

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "eda.ipynb"
ARTIFACT = ROOT / "var" / "test-artifacts" / "notebooks" / "eda.ipynb"
FIGURES = ROOT / "notebooks" / "figures"
ARTIFACT_FIGURES = ARTIFACT.parent / "figures"
SHOWN = re.compile(r'show\(fig, "([a-z0-9-]+)"\)')
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CELL_TIMEOUT_SECONDS = 300
PLOTLY = "application/vnd.plotly.v1+json"


def outputs_of_type(notebook: nbformat.NotebookNode, output_type: str) -> list[Any]:
    return [
        output
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == output_type
    ]


@pytest.mark.timeout(900)
def test_the_eda_notebook_runs_against_the_stack(
    trained_stack: LiveStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOUNDSTREAM_BASE_URL", trained_stack.urls["gateway"])
    monkeypatch.setenv("SOUNDSTREAM_API_KEY", trained_stack.admin_key)  # no rate-limit surprises
    shutil.rmtree(ARTIFACT_FIGURES, ignore_errors=True)
    monkeypatch.setenv("SOUNDSTREAM_FIGURES_DIR", str(ARTIFACT_FIGURES))
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]

    NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT_SECONDS,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    ).execute()
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, ARTIFACT)

    assert not outputs_of_type(notebook, "error")
    assert all(cell.execution_count for cell in code_cells), "every cell ran"
    figures = [o for o in outputs_of_type(notebook, "display_data") if PLOTLY in o["data"]]
    assert len(figures) >= 9
    assert all(base64.b64decode(o["data"]["image/png"]).startswith(PNG_SIGNATURE) for o in figures)
    saved = {path.stem for path in ARTIFACT_FIGURES.glob("*.png")}
    assert saved == shown_figures(notebook)
    assert all(path.read_bytes().startswith(PNG_SIGNATURE) for path in ARTIFACT_FIGURES.iterdir())
    printed = "".join(str(o["text"]) for o in outputs_of_type(notebook, "stream"))
    assert "Gini of plays per artist: 0.893" in printed
    assert "54 dominant tags" in printed


def shown_figures(notebook: nbformat.NotebookNode) -> set[str]:
    """The names the notebook saves its figures under (``show(fig, "<name>")``)."""
    return {
        name
        for cell in notebook.cells
        if cell.cell_type == "code"
        for name in SHOWN.findall(cell.source)
    }


def test_the_committed_notebook_shows_every_figure_as_a_static_image_too() -> None:
    """GitHub and offline readers see PNGs: in the outputs and as files under figures/."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    figures = [o for o in outputs_of_type(notebook, "display_data") if PLOTLY in o["data"]]
    assert figures
    for output in figures:
        assert base64.b64decode(output["data"]["image/png"]).startswith(PNG_SIGNATURE)
        assert "text/html" not in output["data"], "no output that needs a CDN's JavaScript"
    names = shown_figures(notebook)
    assert len(names) == len(figures)
    assert {path.stem for path in FIGURES.glob("*.png")} == names
    for name in names:
        assert (FIGURES / f"{name}.png").read_bytes().startswith(PNG_SIGNATURE), name


def test_the_committed_notebook_has_its_outputs() -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code_cells
    assert all(cell.outputs for cell in code_cells), "commit the notebook executed"
    assert not outputs_of_type(notebook, "error")
