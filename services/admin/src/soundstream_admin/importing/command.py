"""``soundstream-admin import``: choose the data, run the import, print and save the report."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from catalog.config import get_settings as catalog_settings
from listening.config import get_settings as listening_settings
from soundstream_admin.config import get_settings
from soundstream_admin.importing.errors import DataFileError, DataImportError, SourceError
from soundstream_admin.importing.pipeline import run_import
from soundstream_admin.importing.render import describe_source, render_report
from soundstream_admin.importing.sources import resolve_source

EXIT_DATA_ERROR = 1
EXIT_NO_SOURCE = 2


def import_command(
    *,
    data_dir: Path | None,
    replace: bool,
    report_path: Path | None,
    synthetic_users: int,
    seed: int,
) -> int:
    """Run an import for the command line; the return value is the exit code."""
    console = Console(highlight=False)
    settings = get_settings()
    try:
        source = resolve_source(
            data_dir,
            settings,
            synthetic_users=synthetic_users,
            seed=seed,
            notify=lambda message: typer.echo(message, err=True),
        )
        typer.echo(describe_source(source.info))
        targets = {
            "catalog": catalog_settings().database_url,
            "listening": listening_settings().database_url,
        }
        report = run_import(
            source,
            targets,
            replace=replace,
            report_path=report_path or settings.report_path,
            notify=lambda message: typer.echo(message, err=True),
        )
    except SourceError as exc:
        typer.echo(f"No data to import: {exc}", err=True)
        return EXIT_NO_SOURCE
    except DataFileError as exc:
        typer.echo(str(exc), err=True)
        typer.echo("Import aborted: no database was changed.", err=True)
        return EXIT_DATA_ERROR
    except DataImportError as exc:
        typer.echo(f"Import failed: {exc}", err=True)
        typer.echo("No database was changed.", err=True)
        return EXIT_DATA_ERROR
    render_report(report, console)
    typer.echo(f"Report written to {report_path or settings.report_path}")
    return 0
