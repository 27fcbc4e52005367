"""The services whose databases the operator tool manages, with their settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine

from analytics.config import get_settings as analytics_settings
from analytics.db import MIGRATIONS as ANALYTICS_MIGRATIONS
from catalog.config import get_settings as catalog_settings
from catalog.db import MIGRATIONS as CATALOG_MIGRATIONS
from gateway.config import get_settings as gateway_settings
from gateway.db import MIGRATIONS as GATEWAY_MIGRATIONS
from listening.config import get_settings as listening_settings
from listening.db import MIGRATIONS as LISTENING_MIGRATIONS
from recommender.config import get_settings as recommender_settings
from recommender.db import MIGRATIONS as RECOMMENDER_MIGRATIONS
from soundstream_common.db import Migrations, create_db_engine
from soundstream_common.settings import ServiceSettings


@dataclass(frozen=True)
class ServiceDatabase:
    name: str
    settings: ServiceSettings
    migrations: Migrations

    def engine(self) -> Engine:
        return create_db_engine(
            self.settings.database_url, busy_timeout_ms=self.settings.sqlite_busy_timeout_ms
        )


def service_databases() -> dict[str, ServiceDatabase]:
    return {
        "catalog": ServiceDatabase("catalog", catalog_settings(), CATALOG_MIGRATIONS),
        "listening": ServiceDatabase("listening", listening_settings(), LISTENING_MIGRATIONS),
        "recommender": ServiceDatabase(
            "recommender", recommender_settings(), RECOMMENDER_MIGRATIONS
        ),
        "analytics": ServiceDatabase("analytics", analytics_settings(), ANALYTICS_MIGRATIONS),
        "gateway": ServiceDatabase("gateway", gateway_settings(), GATEWAY_MIGRATIONS),
    }


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
        {name: databases[name].settings.database_url for name in ("catalog", "listening")}
    )
    for outcome in recovered:
        if notify is not None:
            notify(str(outcome))
    return revisions
