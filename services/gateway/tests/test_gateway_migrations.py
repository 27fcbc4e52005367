"""The gateway's migrations build exactly the schema its models describe, both ways."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from gateway.db import MIGRATIONS
from gateway.models import Base
from soundstream_common.db import create_db_engine


def test_head_matches_the_models_and_downgrades(database_url: str) -> None:
    engine = create_db_engine(database_url)
    try:
        MIGRATIONS.upgrade(engine)
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
        assert MIGRATIONS.current(engine) == MIGRATIONS.head()
        MIGRATIONS.downgrade(engine)
        assert "api_keys" not in inspect(engine).get_table_names()
        MIGRATIONS.upgrade(engine)
        assert "api_keys" in inspect(engine).get_table_names()
    finally:
        engine.dispose()
