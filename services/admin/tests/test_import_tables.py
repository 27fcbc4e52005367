"""The import's table list agrees with the services' SQLAlchemy models: it fills every table
that holds the data set, writes every column of each with the wire type of its PostgreSQL
column, replaces rows by their primary key, and loads parents before children."""

from __future__ import annotations

import pytest
from sqlalchemy import Column
from sqlalchemy import Table as ModelTable
from sqlalchemy.dialects import postgresql

from catalog.models import EVENT_OUTBOX as CATALOG_OUTBOX
from catalog.models import Base as CatalogBase
from catalog.models import DatasetVersion as CatalogDatasetVersion
from listening.models import EVENT_OUTBOX as LISTENING_OUTBOX
from listening.models import Base as ListeningBase
from listening.models import DatasetVersion
from soundstream_admin.importing.tables import (
    CATALOG_TABLES,
    CATALOG_VERSION,
    LISTENING_TABLES,
    Table,
)

# The binary COPY type of each PostgreSQL column type (a varchar travels as text).
WIRE_TYPES = {
    "SMALLINT": "int2",
    "INTEGER": "int4",
    "BIGINT": "int8",
    "BOOLEAN": "bool",
    "TEXT": "text",
    "VARCHAR": "text",
}

# Each data set's version is bumped by the import, not loaded.
DATABASES = {
    "catalog": (
        CATALOG_TABLES,
        CatalogBase.metadata,
        {CATALOG_OUTBOX.name, CatalogDatasetVersion.__tablename__},
    ),
    "listening": (
        LISTENING_TABLES,
        ListeningBase.metadata,
        {LISTENING_OUTBOX.name, DatasetVersion.__tablename__},
    ),
}
"""Per service database: the import's tables, the models' metadata, and the tables of the
models that hold no data set rows."""

IMPORTED = [
    pytest.param(table, DATABASES[database][1].tables[table.name], id=table.name)
    for database, (tables, _, _) in DATABASES.items()
    for table in tables
]


def wire_type(column: Column[object]) -> str:
    declared = column.type.compile(dialect=postgresql.dialect())  # type: ignore[no-untyped-call]
    return WIRE_TYPES[declared.partition("(")[0]]


@pytest.mark.parametrize("database", DATABASES)
def test_the_import_fills_every_table_of_the_data_set(database: str) -> None:
    tables, metadata, not_data = DATABASES[database]
    assert {table.name for table in tables} == set(metadata.tables) - not_data


@pytest.mark.parametrize(("table", "model"), IMPORTED)
def test_every_column_is_written_with_its_wire_type(table: Table, model: ModelTable) -> None:
    assert dict(table.columns) == {column.name: wire_type(column) for column in model.columns}


@pytest.mark.parametrize(("table", "model"), IMPORTED)
def test_rows_are_replaced_by_their_primary_key(table: Table, model: ModelTable) -> None:
    assert table.key == tuple(column.name for column in model.primary_key.columns)


@pytest.mark.parametrize("database", DATABASES)
def test_parents_are_loaded_before_their_children(database: str) -> None:
    tables, metadata, _ = DATABASES[database]
    loaded: set[str] = set()
    for table in tables:
        parents = {key.column.table.name for key in metadata.tables[table.name].foreign_keys}
        assert parents - {table.name} <= loaded, f"{table.name} loads before its parents"
        loaded.add(table.name)


def test_the_catalog_version_the_import_advances_is_the_models() -> None:
    model = CatalogBase.metadata.tables[CatalogDatasetVersion.__tablename__]
    assert CATALOG_VERSION.name == model.name
    assert dict(CATALOG_VERSION.columns) == {
        column.name: wire_type(column) for column in model.columns
    }
    assert CATALOG_VERSION.key == tuple(column.name for column in model.primary_key.columns)
