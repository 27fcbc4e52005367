"""What the admin needs its ``stack`` extra for, and the refusal when it is missing."""

from __future__ import annotations

from importlib.util import find_spec

import typer

# The modules of the services the admin installs only with its `stack` extra (the tool itself
# needs the catalog and listening schemas alone): what `dev`, `dag`, `analytics` and
# `settings-doc` import or start. SciPy: the listening service's own `server` extra.
STACK_MODULES = ("recommender", "analytics", "gateway", "dashboard", "scipy")


def require(*modules: str) -> None:
    """Stop with what to install when a command needs services this install lacks."""
    missing = [module for module in modules if find_spec(module) is None]
    if missing:
        typer.echo(
            f"error: this command needs the services ({', '.join(missing)} not installed): "
            "install soundstream-admin[stack] (the workspace has it: make sync)",
            err=True,
        )
        raise typer.Exit(1)
