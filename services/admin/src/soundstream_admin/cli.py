"""``soundstream-admin``: the operator's command line."""

from __future__ import annotations

from pathlib import Path

import typer

from soundstream_admin.cli_analytics import analytics
from soundstream_admin.stack_extra import STACK_MODULES, require

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
dag = typer.Typer(no_args_is_help=True, help="Task graphs: list them, draw them.")
app.add_typer(dag, name="dag")
app.add_typer(analytics, name="analytics")


@app.command()
def migrate() -> None:
    """Upgrade every service database to the latest schema; settle an interrupted import."""
    from soundstream_admin.services import migrate_all

    for name, revision in migrate_all(notify=typer.echo).items():
        typer.echo(f"{name}: at {revision}")


@app.command("import")
def import_data(
    data_dir: Path | None = typer.Option(
        None,
        "--data-dir",
        help="Directory with the HetRec 2011 files (default: $SOUNDSTREAM_HETREC_DIR, "
        "else download them, else generate synthetic data).",
    ),
    replace: bool = typer.Option(
        False, "--replace", help="Delete the imported tables' rows first (same transaction)."
    ),
    report: Path | None = typer.Option(
        None, "--report", help="JSON report path (default: <data_dir>/import-report.json)."
    ),
    synthetic_users: int = typer.Option(
        1892, "--synthetic-users", min=1, help="Users of the synthetic data, if it is used."
    ),
    seed: int = typer.Option(0, "--seed", help="Seed of the synthetic data, if it is used."),
) -> None:
    """Load the HetRec 2011 data into the catalog and listening databases, all or nothing."""
    from soundstream_admin.importing.command import import_command

    code = import_command(
        data_dir=data_dir,
        replace=replace,
        report_path=report,
        synthetic_users=synthetic_users,
        seed=seed,
    )
    raise typer.Exit(code)


@app.command()
def dev(
    stack: Path | None = typer.Option(
        None, help="Stack definition (default: infra/stack.toml of this checkout)."
    ),
    port_offset: int = typer.Option(
        0, envvar="SOUNDSTREAM_PORT_OFFSET", help="Added to every service port in the stack."
    ),
    load_data: bool = typer.Option(
        True, "--import/--no-import", help="Load the data set before starting the services."
    ),
    ready_timeout: float = typer.Option(60.0, help="Seconds each service has to become ready."),
    max_restarts: int = typer.Option(
        5,
        min=0,
        help="Restarts of a crashing service, in a row, before the stack stops (a service "
        "that ran a minute has recovered).",
    ),
) -> None:
    """Run the whole stack locally: migrate, import, start every service, Ctrl-C stops it.

    A service that dies is restarted, each time a little later; one that keeps crashing
    stops the stack.

    Redis: REDIS_URL when it answers, else a redis-server started here, else an embedded
    in-memory server (fakeredis); the output says which.
    """
    require(*STACK_MODULES)
    from soundstream_admin.runner import run_stack

    code = run_stack(
        stack=stack,
        port_offset=port_offset,
        load_data=load_data,
        ready_timeout=ready_timeout,
        max_restarts=max_restarts,
    )
    raise typer.Exit(code)


@app.command()
def generate(
    out: Path = typer.Option(..., "--out", help="Directory to write the data set into."),
    users: int = typer.Option(1892, "--users", min=2, help="Number of users (1892 = real size)."),
    seed: int = typer.Option(0, "--seed", help="Random seed: same seed, same files."),
    timestamps: bool = typer.Option(
        False, "--timestamps", help="Write tag dates as millisecond timestamps."
    ),
) -> None:
    """Write a synthetic HetRec 2011 Last.fm data set, shaped like the real one."""
    import time

    from soundstream_admin.datadir import DataDirectoryError
    from soundstream_admin.synthetic import generate_dataset

    started = time.perf_counter()
    try:
        generate_dataset(out, users=users, seed=seed, timestamps=timestamps)
    except DataDirectoryError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    for path in sorted(out.glob("*.dat")):
        with path.open("rb") as handle:
            rows = sum(1 for _ in handle) - 1
        typer.echo(f"{path.name}: {rows:,} rows")
    typer.echo(f"Generated {out} in {time.perf_counter() - started:.1f} s")


@app.command()
def download(
    dest: Path = typer.Option(..., "--dest", help="Directory to hold the HetRec 2011 files."),
) -> None:
    """Download the official HetRec 2011 Last.fm files and verify their SHA-256."""
    from soundstream_admin.download import DownloadError, download_dataset, verification_problems

    if not verification_problems(dest):
        typer.echo(f"{dest} already holds the verified data set")
        return
    try:
        download_dataset(dest)
    except DownloadError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"Downloaded and verified the HetRec 2011 data set into {dest}")


@app.command()
def compose(
    stack: Path | None = typer.Option(
        None, help="Stack definition (default: infra/stack.toml of this checkout)."
    ),
    check: bool = typer.Option(False, help="Fail if a file is out of date; write nothing."),
) -> None:
    """Generate docker-compose.yml and render.yaml from infra/stack.toml."""
    from soundstream_admin.blueprint import render_blueprint
    from soundstream_admin.compose import render
    from soundstream_admin.stack import StackError, find_stack_file, load_stack

    try:
        stack_file = find_stack_file(stack)
        specs = load_stack(stack_file)
    except StackError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    root = stack_file.parent.parent
    files = {
        root / "docker-compose.yml": render(specs),
        root / "render.yaml": render_blueprint(specs),
    }
    stale = [
        path
        for path, text in files.items()
        if not path.exists() or path.read_text(encoding="utf-8") != text
    ]
    if check:
        for path in stale:
            typer.echo(f"{path} is out of date: run `soundstream-admin compose`", err=True)
        if stale:
            raise typer.Exit(1)
        typer.echo("docker-compose.yml and render.yaml are up to date")
        return
    for path, text in files.items():
        if path in stale:
            path.write_text(text, encoding="utf-8")
        typer.echo(f"{path}: {'updated' if path in stale else 'unchanged'}")


@app.command()
def images(
    update: bool = typer.Option(
        False,
        help="Resolve each tag's current digest (needs the registries) and rewrite the "
        "pins, the Dockerfile and docker-compose.yml.",
    ),
) -> None:
    """The base images and their digests (infra/base-images.toml); --update pins them anew."""
    import httpx

    from soundstream_admin.base_images import BaseImageError, default_images
    from soundstream_admin.base_images import update as update_pins
    from soundstream_admin.stack import find_stack_file

    try:
        if update:
            root = find_stack_file().parent.parent
            with httpx.Client(timeout=30.0, follow_redirects=True) as client:
                update_pins(root, client)
            compose(stack=None, check=False)
        pins = default_images()
    except BaseImageError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    for image in pins.values():
        state = image.digest or "NOT PINNED (the tag alone is used): run --update"
        typer.echo(f"{image.name:<10} {image.reference:<32} {state}")


@app.command("settings-doc")
def settings_doc(
    out: Path = typer.Option(Path("docs/configuration.md"), help="Where to write the document."),
    readme: Path = typer.Option(Path("README.md"), help="README whose settings section to update."),
    check: bool = typer.Option(False, help="Fail if the document is out of date; write nothing."),
) -> None:
    """Render the configuration reference from the services' Settings classes."""
    require(*STACK_MODULES)
    from soundstream_admin.settings_doc import render, with_readme_section, write

    if check:
        current = out.read_text(encoding="utf-8") if out.exists() else ""
        text = readme.read_text(encoding="utf-8")
        if current != render() or with_readme_section(text) != text:
            typer.echo(f"{out} is out of date: run `soundstream-admin settings-doc`", err=True)
            raise typer.Exit(1)
        typer.echo(f"{out} is up to date")
        return
    typer.echo(f"{out}, {readme}: {'updated' if write(out, readme) else 'unchanged'}")


@dag.command("list")
def dag_list() -> None:
    """Every task graph: its tasks by level, and its schedules."""
    require("recommender", "analytics")
    from soundstream_admin.dags import known_graphs

    for name, known in known_graphs().items():
        typer.echo(f"{name}: {known.graph.description}")
        for level, tasks in enumerate(known.graph.levels()):
            typer.echo(f"  level {level}: {', '.join(tasks)}")
        for schedule, tasks in known.graph.scheduled().items():
            typer.echo(f"  {schedule.label}: {len(tasks)} task(s)")


@dag.command("export")
def dag_export(
    fmt: str = typer.Option(
        "svg", "--format", help="svg or png (laid out by Graphviz), dot, or mermaid."
    ),
    graph: str = typer.Option("recommender.training", "--graph", help="The graph to draw."),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="File to write (default: standard output)."
    ),
    states: bool = typer.Option(
        True, "--states/--no-states", help="Colour each task by its last run (from the history)."
    ),
) -> None:
    """Draw a task graph with each task's last state and duration."""
    import sys

    require("recommender", "analytics")
    from soundstream_admin.dags import draw, known_graphs
    from soundstream_taskgraph import ExportFormat
    from soundstream_taskgraph.render import GraphvizFailedError, GraphvizUnavailableError

    choices = [member.value for member in ExportFormat]
    if fmt not in choices:
        typer.echo(f"error: --format must be one of {', '.join(choices)}", err=True)
        raise typer.Exit(2)
    if graph not in known_graphs():
        typer.echo(f"error: no graph {graph!r} (known: {', '.join(known_graphs())})", err=True)
        raise typer.Exit(2)
    if output is None and fmt == "png" and sys.stdout.isatty():
        typer.echo("error: a PNG is not for a terminal: give --output FILE", err=True)
        raise typer.Exit(2)
    try:
        picture, missing = draw(graph, ExportFormat(fmt), states=states)
    except (GraphvizUnavailableError, GraphvizFailedError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    if missing:
        typer.echo(f"{graph} drawn without states: {missing}", err=True)
    if output is None:
        sys.stdout.buffer.write(picture)
        sys.stdout.buffer.flush()
        return
    output.write_bytes(picture)
    typer.echo(f"{graph} ({fmt}) written to {output}", err=True)
