"""Bulk loaders, one per database back end."""

from __future__ import annotations

from sqlalchemy import Engine

from soundstream_admin.importing.batch import Batch, Row
from soundstream_admin.importing.loaders.base import Loader
from soundstream_admin.importing.loaders.sqlite import SqliteLoader

__all__ = ["Batch", "Loader", "Row", "SqliteLoader", "loader_for"]


def loader_for(name: str, engine: Engine) -> Loader:
    """The loader for ``engine``'s back end (SQLite or PostgreSQL)."""
    if engine.dialect.name == "sqlite":
        return SqliteLoader(name, engine)
    if engine.dialect.name == "postgresql":
        # Imported here: psycopg is loaded only by a PostgreSQL import.
        from soundstream_admin.importing.loaders.postgres import PostgresLoader

        return PostgresLoader(name, engine)
    raise ValueError(f"unsupported database back end {engine.dialect.name!r}")
