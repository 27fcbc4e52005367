"""``soundstream-admin``: the operator's command line."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)


@app.command()
def migrate() -> None:
    """Upgrade every service database to the latest schema."""
    from soundstream_admin.services import migrate_all

    for name, revision in migrate_all().items():
        typer.echo(f"{name}: at {revision}")
