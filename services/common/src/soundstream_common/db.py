"""Database helpers: engines with the right pragmas, naming conventions, migrations."""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import DateTime, Dialect, Engine, MetaData, TypeDecorator, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from soundstream_common.settings import ServiceSettings

# Explicit, stable constraint/index names: migrations stay reviewable and portable.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def make_metadata() -> MetaData:
    return MetaData(naming_convention=NAMING_CONVENTION)


class UtcDateTime(TypeDecorator[datetime.datetime]):
    """A point in time, stored in UTC and always read back with its time zone.

    PostgreSQL keeps the zone of a ``timestamptz``; SQLite keeps none and gave naive values
    back, which answers then showed without a zone. Naive values written are taken as UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(
        self, value: datetime.datetime | None, dialect: Dialect
    ) -> datetime.datetime | None:
        del dialect
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=datetime.UTC)
        return value.astimezone(datetime.UTC)

    def process_result_value(
        self, value: datetime.datetime | None, dialect: Dialect
    ) -> datetime.datetime | None:
        del dialect
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=datetime.UTC)
        return value.astimezone(datetime.UTC)


SQLITE_MMAP_BYTES = 256 * 1024 * 1024
SQLITE_CACHE_KIB = 8 * 1024
SQLITE_POOL_SIZE = 40
"""Pooled SQLite connections: one per thread of the request thread pool (anyio's default
40), so a busy service reuses its connections instead of opening (and configuring) a new
one for every request beyond the pool."""


def _sqlite_pragmas(busy_timeout_ms: int) -> Any:
    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cur.execute("PRAGMA synchronous=NORMAL")
        # Reads: pages mapped from the OS cache instead of copied, and a larger page cache.
        cur.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
        cur.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        cur.close()

    return on_connect


def _file_identity(path: str) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


def _watch_sqlite_file(engine: Engine, path: str) -> None:
    """Retire pooled connections whose database file was removed or replaced.

    An open SQLite connection keeps working on a deleted or swapped file (a restored backup,
    a removed data directory): without this a service would go on serving, and reporting
    ready, from a database that is no longer there. This is SQLite's ``pool_pre_ping``.
    """

    def on_connect(_dbapi_conn: Any, record: Any) -> None:
        record.info["sqlite_file"] = _file_identity(path)

    def on_checkout(_dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        if _file_identity(path) != record.info.get("sqlite_file"):
            raise DisconnectionError(f"SQLite database file {path} was removed or replaced")

    event.listen(engine, "connect", on_connect)
    event.listen(engine, "checkout", on_checkout)


def create_db_engine(url: str, *, busy_timeout_ms: int = 5000, pool_size: int = 10) -> Engine:
    """An engine for SQLite (WAL, foreign keys, busy timeout) or PostgreSQL (psycopg 3)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        on_disk = bool(parsed.database) and parsed.database != ":memory:"
        if on_disk:
            Path(str(parsed.database)).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
            **({"pool_size": SQLITE_POOL_SIZE, "max_overflow": 10} if on_disk else {}),
        )
        event.listen(engine, "connect", _sqlite_pragmas(busy_timeout_ms))
        if on_disk:
            _watch_sqlite_file(engine, str(parsed.database))
        return engine
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        pool_timeout=5,
        connect_args={"connect_timeout": 3},
    )


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A unit of work: commit on success, roll back on any error, always close."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


class Migrations:
    """Alembic migrations shipped inside a service package (``<pkg>/migrations``)."""

    def __init__(self, package: str) -> None:
        self.script_location = str(files(package).joinpath("migrations"))

    def config(self, url: str) -> Config:
        cfg = Config()
        cfg.set_main_option("script_location", self.script_location)
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
        return cfg

    def head(self) -> str | None:
        return ScriptDirectory(self.script_location).get_current_head()

    def upgrade(self, engine: Engine, revision: str = "head") -> None:
        cfg = self.config(engine.url.render_as_string(hide_password=False))
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)

    def downgrade(self, engine: Engine, revision: str = "base") -> None:
        cfg = self.config(engine.url.render_as_string(hide_password=False))
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, revision)

    def current(self, engine: Engine) -> str | None:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()


# The entry-point group under which each service package declares its database (a
# ``ServiceDatabase`` in its light ``<package>.db`` module). The operator tool finds every
# installed service's database there and imports nothing else of the service.
DATABASES_ENTRY_POINTS = "soundstream.databases"


@dataclass(frozen=True)
class ServiceDatabase:
    """A service's database as the operator tool reaches it: where it is (the service's own
    settings) and its migrations. Declared in ``<package>.db`` (schema and settings only, none
    of the service's runtime dependencies) and registered under :data:`DATABASES_ENTRY_POINTS`.
    """

    name: str
    settings: Callable[[], ServiceSettings]
    migrations: Migrations

    def engine(self) -> Engine:
        settings = self.settings()
        return create_db_engine(
            settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms
        )


def run_alembic_env(target_metadata: MetaData) -> None:
    """Body of every service's ``migrations/env.py``."""
    from alembic import context  # only importable inside an alembic run

    cfg = context.config
    connection = cfg.attributes.get("connection")
    if connection is None:
        engine = create_db_engine(cfg.get_main_option("sqlalchemy.url") or "")
        with engine.begin() as conn:
            _configure_and_run(context, conn, target_metadata)
        engine.dispose()
    else:
        _configure_and_run(context, connection, target_metadata)


def _configure_and_run(context: Any, connection: Any, target_metadata: MetaData) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
