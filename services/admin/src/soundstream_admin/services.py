"""The services whose databases the operator tool manages: every installed service package
declares its database under the ``soundstream.databases`` entry points, in its light
``<package>.db`` module (schema and settings, none of the service's runtime dependencies)."""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import entry_points

from soundstream_common.db import DATABASES_ENTRY_POINTS, ServiceDatabase

# The order the databases are migrated and reported in; a service not listed comes after.
ORDER = ("catalog", "listening", "recommender", "analytics", "gateway")

# The databases `soundstream-admin import` writes: the admin depends on these two packages.
IMPORTED = ("catalog", "listening")


def _rank(name: str) -> tuple[int, str]:
    return (ORDER.index(name) if name in ORDER else len(ORDER), name)


def service_databases() -> dict[str, ServiceDatabase]:
    """Every installed service's database, by name (catalog and listening always: the admin
    depends on them; the others with the services, e.g. ``soundstream-admin[stack]``)."""
    found: dict[str, ServiceDatabase] = {}
    for entry in entry_points(group=DATABASES_ENTRY_POINTS):
        database = entry.load()
        if not isinstance(database, ServiceDatabase):
            raise TypeError(f"entry point {entry.value} is not a ServiceDatabase")
        found[database.name] = database
    return {name: found[name] for name in sorted(found, key=_rank)}


def migrate_all(notify: Callable[[str], None] | None = None) -> dict[str, str | None]:
    """Upgrade every database, then settle an import a crash interrupted (``notify`` hears)."""
    from soundstream_admin.importing.journal import recover_databases

    revisions: dict[str, str | None] = {}
    databases = service_databases()
    for name, db in databases.items():
        engine = db.engine()
        try:
            db.migrations.upgrade(engine)
            revisions[name] = db.migrations.current(engine)
        finally:
            engine.dispose()
    recovered = recover_databases(
        {name: databases[name].settings().database_url for name in IMPORTED}
    )
    for outcome in recovered:
        if notify is not None:
            notify(str(outcome))
    return revisions
