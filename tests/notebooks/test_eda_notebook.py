"""The EDA notebook runs top to bottom against the live stack and draws its figures.

The executed copy is written to ``var/test-artifacts/notebooks/eda.ipynb`` for inspection;
the committed notebook (with its outputs) is not touched.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

from soundstream_admin.testing import LiveStack

pytestmark = pytest.mark.realdata

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "eda.ipynb"
ARTIFACT = ROOT / "var" / "test-artifacts" / "notebooks" / "eda.ipynb"
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
    printed = "".join(str(o["text"]) for o in outputs_of_type(notebook, "stream"))
    assert "Gini of plays per artist: 0.893" in printed
    assert "54 dominant tags" in printed


def test_the_committed_notebook_has_its_outputs() -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code_cells
    assert all(cell.outputs for cell in code_cells), "commit the notebook executed"
    assert not outputs_of_type(notebook, "error")
