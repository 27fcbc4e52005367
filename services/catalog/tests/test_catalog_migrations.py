"""The catalog's migrations build exactly the schema its models describe, both ways."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from catalog.db import MIGRATIONS, create_catalog_engine
from catalog.models import Base


def test_head_matches_the_models(catalog_url: str) -> None:
    engine = create_catalog_engine(catalog_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
        assert MIGRATIONS.current(engine) == MIGRATIONS.head() == "20261207_0003"
    finally:
        engine.dispose()


def test_outbox_revision_downgrades_and_upgrades(catalog_url: str) -> None:
    engine = create_catalog_engine(catalog_url)
    try:
        MIGRATIONS.downgrade(engine, "20261126_0001")
        assert "event_outbox" not in inspect(engine).get_table_names()
        MIGRATIONS.upgrade(engine)
        assert "event_outbox" in inspect(engine).get_table_names()
    finally:
        engine.dispose()
