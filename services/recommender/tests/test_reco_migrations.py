"""The recommender's migrations build exactly the schema its models describe (the run history
included), and the history's revision downgrades and upgrades, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from recommender.db import MIGRATIONS
from recommender.models import Base
from soundstream_common.db import create_db_engine


def test_head_matches_the_models(database_url: str) -> None:
    engine = create_db_engine(database_url)
    try:
        MIGRATIONS.upgrade(engine)
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
        assert MIGRATIONS.current(engine) == MIGRATIONS.head() == "20261207_0004"
    finally:
        engine.dispose()


def test_the_history_revision_downgrades_and_upgrades(database_url: str) -> None:
    engine = create_db_engine(database_url)
    try:
        MIGRATIONS.upgrade(engine)
        MIGRATIONS.downgrade(engine, "20261126_0002")
        assert not {"job_runs", "job_task_runs"} & set(inspect(engine).get_table_names())
        MIGRATIONS.upgrade(engine)
        assert {"job_runs", "job_task_runs"} <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
