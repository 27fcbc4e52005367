"""``soundstream-admin dag``: the recommender's training graph drawn with the last states from
its own database (migrated, with a recorded run), in every format."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from recommender.config import get_settings
from recommender.db import MIGRATIONS
from recommender.training.jobs import TRAINING, training_graph
from soundstream_admin.cli import app
from soundstream_admin.dags import known_graphs
from soundstream_common.db import create_db_engine
from soundstream_taskgraph.decide import Decision, Facts, Reason
from soundstream_testing.prerequisites import require_program


@pytest.fixture
def graphviz() -> None:
    require_program("dot", "graphviz")


needs_graphviz = pytest.mark.usefixtures("graphviz")


@pytest.fixture
def recommender_db(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The recommender's database, migrated, with one run whose snapshot succeeded."""
    monkeypatch.setenv("RECOMMENDER_DATABASE_URL", database_url)
    get_settings.cache_clear()
    engine = create_db_engine(database_url)
    MIGRATIONS.upgrade(engine)
    engine.dispose()
    history = known_graphs()[TRAINING].history()
    tasks = list(training_graph(get_settings()).tasks)
    history.create_run(TRAINING, tasks, run_id="r1", trigger="test")
    history.start_run("r1")
    facts = Facts("f", "e-1", {})
    history.begin("r1", "snapshot", Decision(Reason.FIRST, "first run", None), facts)
    history.succeed("r1", "snapshot", {"path": "x"}, 1.5)
    history.engine.dispose()
    yield database_url
    get_settings.cache_clear()


def test_the_dot_export_has_every_task_edge_and_last_state(recommender_db: str) -> None:
    result = CliRunner().invoke(app, ["dag", "export", "--format", "dot"])

    assert result.exit_code == 0, result.output
    graph = known_graphs()[TRAINING].graph
    for name in graph.tasks:
        assert f'"{name}" [label=' in result.stdout
    for dependency, task in graph.edges:
        assert f'"{dependency}" -> "{task}";' in result.stdout
    assert '"snapshot" [label="snapshot\\nsucceeded · 1.5 s"' in result.stdout
    assert '"matrices" [label="matrices\\npending"' in result.stdout


@needs_graphviz
def test_svg_and_png_files_are_laid_out_by_graphviz(recommender_db: str, tmp_path: Path) -> None:
    runner = CliRunner()
    svg, png = tmp_path / "training.svg", tmp_path / "training.png"
    assert runner.invoke(app, ["dag", "export", "-o", str(svg)]).exit_code == 0
    assert runner.invoke(app, ["dag", "export", "--format", "png", "-o", str(png)]).exit_code == 0

    assert "succeeded · 1.5 s" in svg.read_text()
    assert png.read_bytes().startswith(b"\x89PNG")
    # Graphviz reads the exported DOT back as the declared graph.
    dot = runner.invoke(app, ["dag", "export", "--format", "dot"]).stdout
    parsed = json.loads(
        subprocess.run(["dot", "-Tjson"], input=dot.encode(), capture_output=True).stdout
    )
    names = [node["name"] for node in parsed["objects"]]
    edges = {(names[e["tail"]], names[e["head"]]) for e in parsed["edges"]}
    assert edges == set(known_graphs()[TRAINING].graph.edges)


def test_mermaid_and_a_database_without_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RECOMMENDER_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["dag", "export", "--format", "mermaid"])
    finally:
        get_settings.cache_clear()

    assert result.exit_code == 0
    assert result.stdout.startswith("flowchart LR")
    assert "t_matrices --> t_train_als" in result.stdout
    assert "drawn without states: no run history" in result.stderr


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["dag", "export", "--format", "gif"], "--format must be one of"),
        (["dag", "export", "--graph", "nope.graph"], "no graph 'nope.graph'"),
    ],
)
def test_bad_arguments_exit_2_and_say_why(argv: list[str], message: str) -> None:
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 2
    assert message in result.stderr


def test_dag_list_shows_levels_and_schedules() -> None:
    result = CliRunner().invoke(app, ["dag", "list"])
    assert result.exit_code == 0
    assert (
        "level 2: train_popularity, train_item_knn, train_als, train_ease, train_social, "
        "train_tags" in result.stdout
    )
    assert "daily 03:00 UTC: 10 task(s)" in result.stdout
