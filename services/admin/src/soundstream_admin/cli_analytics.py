"""``soundstream-admin analytics``: the warehouse's extract, dry-run, list and export-parquet."""

from __future__ import annotations

from datetime import date, timedelta

import typer

from soundstream_admin.stack_extra import require

analytics = typer.Typer(
    no_args_is_help=True, help="The analytics warehouse: extract, list, dry-run, export-parquet."
)


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        typer.echo(f"error: {option} must be a date YYYY-MM-DD, not {value!r}", err=True)
        raise typer.Exit(2) from exc


def _range(start: str | None, end: str | None) -> tuple[date | None, date | None]:
    """``--from`` (included) and ``--to`` (included) as ``[start, end)``."""
    first, last = _day(start, "--from"), _day(end, "--to")
    if first is not None and last is not None and first > last:
        typer.echo("error: --from must not be after --to", err=True)
        raise typer.Exit(2)
    return first, (last + timedelta(days=1) if last is not None else None)


FROM_OPTION = typer.Option(None, "--from", help="First day (YYYY-MM-DD), included.")
TO_OPTION = typer.Option(None, "--to", help="Last day (YYYY-MM-DD), included.")
ONLY_OPTION = typer.Option(None, "--only", help="Only this extractor (repeatable).")


def _run_extract(start: str | None, end: str | None, only: list[str] | None, dry: bool) -> None:
    require("analytics")
    from analytics import operations
    from analytics.config import get_settings
    from analytics.runner import describe
    from soundstream_common.errors import ProblemError

    first, stop = _range(start, end)
    try:
        result = operations.extract(
            get_settings(), start=first, end=stop, dry_run=dry, names=only or ()
        )
    except ProblemError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(describe(result))


@analytics.command("extract")
def analytics_extract(
    start: str | None = FROM_OPTION,
    end: str | None = TO_OPTION,
    only: list[str] | None = ONLY_OPTION,
) -> None:
    """Export the days since the last export (or re-export --from/--to, replacing them)."""
    _run_extract(start, end, only, dry=False)


@analytics.command("dry-run")
def analytics_dry_run(
    start: str | None = FROM_OPTION,
    end: str | None = TO_OPTION,
    only: list[str] | None = ONLY_OPTION,
) -> None:
    """Print the rows an export would write, as tables; write nothing."""
    _run_extract(start, end, only, dry=True)


@analytics.command("list")
def analytics_list() -> None:
    """The registered extractors: table, kind, delta view, last exported day."""
    require("analytics")
    from analytics import operations
    from analytics.config import get_settings
    from analytics.warehouse import open_warehouse

    settings = get_settings()
    with open_warehouse(settings.warehouse_url) as warehouse:
        for extractor in operations.extractors(settings):
            table = extractor.table()
            last = warehouse.last_day(table) if warehouse.has("export_state") else None
            delta = extractor.delta_view() or "-"
            typer.echo(
                f"{extractor.name}: table {table}, {extractor.kind}, delta view {delta}, "
                f"exported up to {last or 'never'}"
            )
            typer.echo(f"    {extractor.description}")


@analytics.command("export-parquet")
def analytics_export_parquet(
    start: str | None = FROM_OPTION,
    end: str | None = TO_OPTION,
    only: list[str] | None = ONLY_OPTION,
) -> None:
    """Write the warehouse tables as Parquet, Hive-partitioned by date."""
    require("analytics")
    from analytics import operations
    from analytics.config import get_settings

    first, stop = _range(start, end)
    for table in operations.parquet(get_settings(), start=first, end=stop, names=only or ()):
        typer.echo(
            f"{table.table}: {table.rows} rows in {table.partitions} partitions at {table.path}"
        )
