"""The catalog's migrations handle and its SQLite connection set-up.

SQLite's built-in ``lower()`` folds ASCII letters only, PostgreSQL's folds every letter
("Ärzte" -> "ärzte"). Catalog engines replace ``lower()`` on SQLite connections with Python's
``str.lower`` so case-insensitive tag queries give the same answers on both back ends. No index
or constraint uses ``lower()``, so connections without the override (the importer's) write
exactly the same data. ``ln()`` (the search's relevance) is provided when the SQLite library
was built without its math functions.
"""

from __future__ import annotations

import math
import sqlite3
from typing import Any

from sqlalchemy import Engine, event

from catalog.config import get_settings
from soundstream_common.db import Migrations, ServiceDatabase, create_db_engine

MIGRATIONS = Migrations("catalog")

# Registered under the ``soundstream.databases`` entry points (pyproject.toml): how the
# operator tool migrates this database without importing the rest of the service.
DATABASE = ServiceDatabase("catalog", get_settings, MIGRATIONS)


def _unicode_lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def _natural_log(value: object) -> float | None:
    return math.log(value) if isinstance(value, int | float) and value > 0 else None


def _register_functions(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.create_function("lower", 1, _unicode_lower, deterministic=True)
    try:
        dbapi_conn.execute("SELECT ln(1)").close()
    except sqlite3.OperationalError:
        dbapi_conn.create_function("ln", 1, _natural_log, deterministic=True)


def prepare_engine(engine: Engine) -> Engine:
    """Install the catalog's SQLite functions on ``engine`` (a no-op for PostgreSQL).

    Pooled connections opened before the call are discarded, so every connection the engine
    hands out from now on has the functions.
    """
    if engine.dialect.name == "sqlite" and not event.contains(
        engine, "connect", _register_functions
    ):
        event.listen(engine, "connect", _register_functions)
        engine.dispose()
    return engine


def create_catalog_engine(url: str, *, busy_timeout_ms: int = 5000, pool_size: int = 10) -> Engine:
    """An engine for the catalog database, with :func:`prepare_engine` applied."""
    return prepare_engine(
        create_db_engine(url, busy_timeout_ms=busy_timeout_ms, pool_size=pool_size)
    )
