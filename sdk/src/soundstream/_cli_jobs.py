"""``soundstream jobs ...`` and ``soundstream retrain``: scheduled work from the command line.

``jobs graphs`` lists the task graphs, ``jobs runs`` the last runs, ``jobs run ID`` one run's
tasks (ran or kept, and why), ``jobs export GRAPH --format svg -o graph.svg`` the picture and
``jobs start GRAPH`` starts a run (admin).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from soundstream._client import SoundStream
from soundstream.types.jobs import JobRun, JobRunAccepted

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

TableMaker = Callable[[str, Sequence[str], Sequence[Sequence[Any]]], "Table"]
DEFAULT_GRAPH = "recommender.training"


def _seconds(value: float | None) -> str:
    return "" if value is None else f"{value:.1f} s"


def print_run(run: JobRun, console: Console, table: TableMaker) -> None:
    """A run's tasks: state, attempts, duration, and why each ran or was kept."""
    rows = [
        [
            task.task,
            task.state,
            task.attempts,
            _seconds(task.duration_seconds),
            task.error or task.reason_text or "",
        ]
        for task in run.tasks
    ]
    title = f"Run {run.id} of {run.graph}: {run.state} ({run.trigger})"
    console.print(table(title, ["task", "state", "attempts", "duration", "why"], rows))
    if run.error:
        console.print(f"[red]{run.error}[/red]")


def follow(
    client: SoundStream,
    accepted: JobRunAccepted,
    args: argparse.Namespace,
    console: Console,
    table: TableMaker,
) -> Any:
    """Print (or return) ``accepted``; with ``--wait``, wait for the run and show it."""
    if not args.wait:
        if args.json:
            return accepted
        console.print(f"Run [bold]{accepted.run_id}[/bold] of {accepted.graph} queued")
        return None
    if not args.json:
        console.print(f"Run {accepted.run_id} of {accepted.graph}; waiting for it to finish...")
    run = client.jobs.wait(accepted.run_id, timeout=args.wait_timeout, poll=args.poll)
    if args.json:
        return run
    print_run(run, console, table)
    return None


def add_wait_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--wait", action="store_true", help="Wait for the run to finish")
    parser.add_argument("--poll", type=float, default=2.0, help="Seconds between polls")
    parser.add_argument("--wait-timeout", type=float, default=900.0)


def add_jobs_parser(commands: Any, table: TableMaker) -> None:
    """Register ``jobs`` and its sub-commands on ``commands`` (argparse's sub-parsers)."""
    jobs = commands.add_parser("jobs", help="Scheduled work: task graphs and their runs")
    sub = jobs.add_subparsers(dest="jobs_command", required=True, metavar="JOBS_COMMAND")

    def graphs(client: SoundStream, args: argparse.Namespace, console: Console) -> Any:
        found = client.jobs.graphs()
        if args.json:
            return found
        for graph in found:
            rows = [
                [
                    task.level,
                    task.name,
                    ", ".join(task.depends_on),
                    task.runs_on or "",
                    task.last.state if task.last else "never run",
                    _seconds(task.last.duration_seconds) if task.last else "",
                ]
                for task in graph.tasks
            ]
            columns = ["level", "task", "after", "schedule", "last state", "duration"]
            console.print(table(f"{graph.name}: {graph.description}", columns, rows))
            for schedule in graph.schedules:
                console.print(f"next {schedule.label}: {schedule.next_run_at:%Y-%m-%d %H:%M} UTC")
        return None

    def runs(client: SoundStream, args: argparse.Namespace, console: Console) -> Any:
        page = client.jobs.runs(graph=args.graph, state=args.state, limit=args.limit)
        if args.json:
            return {"items": page.items, "total": page.total}
        rows = [
            [
                run.id,
                run.graph,
                run.state,
                run.trigger,
                f"{run.created_at:%Y-%m-%d %H:%M:%S}",
                _seconds(run.duration_seconds),
                run.counts.get("succeeded", 0),
                run.counts.get("kept", 0),
                run.error or "",
            ]
            for run in page.items
        ]
        columns = ["run", "graph", "state", "trigger", "created", "took", "ran", "kept", "error"]
        console.print(table(f"Runs ({page.total} in all)", columns, rows))
        return None

    def run(client: SoundStream, args: argparse.Namespace, console: Console) -> Any:
        found = client.jobs.run(args.run_id)
        if args.json:
            return found
        print_run(found, console, table)
        return None

    def export(client: SoundStream, args: argparse.Namespace, console: Console) -> Any:
        picture = client.jobs.export(args.graph, format=args.format)
        if args.output is None:
            if args.format in ("svg", "png"):
                sys.stdout.buffer.write(picture)
            else:
                console.print(picture.decode(), markup=False, highlight=False)
            return None
        Path(args.output).write_bytes(picture)
        if not args.json:
            console.print(f"{args.graph} written to {args.output} ({len(picture):,} bytes)")
        return (
            {"graph": args.graph, "format": args.format, "path": args.output} if args.json else None
        )

    def start(client: SoundStream, args: argparse.Namespace, console: Console) -> Any:
        accepted = client.jobs.start(args.graph, force=args.force, tasks=args.task)
        return follow(client, accepted, args, console, table)

    parser = sub.add_parser("graphs", help="The task graphs and each task's last state")
    parser.set_defaults(handler=graphs)
    parser = sub.add_parser("runs", help="The last runs, newest first")
    parser.add_argument("--graph", default=None)
    parser.add_argument("--state", choices=["queued", "running", "succeeded", "failed"])
    parser.add_argument("--limit", type=int, default=20)
    parser.set_defaults(handler=runs)
    parser = sub.add_parser("run", help="One run: each task's state and why")
    parser.add_argument("run_id")
    parser.set_defaults(handler=run)
    parser = sub.add_parser("export", help="Draw a graph (Graphviz SVG/PNG, DOT, Mermaid)")
    parser.add_argument("graph", nargs="?", default=DEFAULT_GRAPH)
    parser.add_argument("--format", choices=["svg", "png", "dot", "mermaid"], default="svg")
    parser.add_argument("-o", "--output", default=None, help="File (default: standard output)")
    parser.set_defaults(handler=export)
    parser = sub.add_parser("start", help="Start a run of a graph (admin)")
    parser.add_argument("graph", nargs="?", default=DEFAULT_GRAPH)
    parser.add_argument("--force", action="store_true", help="Run every task, whatever its TTL")
    parser.add_argument("--task", action="append", help="Only this task (repeatable)")
    add_wait_options(parser)
    parser.set_defaults(handler=start)
