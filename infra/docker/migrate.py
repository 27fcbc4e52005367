"""Prestart step of one service: wait for its database, then upgrade it to the latest schema.

    migrate.py --settings catalog.config:Settings --migrations catalog.db:MIGRATIONS

The settings class says where the database is (``CATALOG_DATABASE_URL`` ...), exactly as for
the service itself; the migrations are the service's own Alembic scripts. Compose runs it once
per service before that service starts (``service_completed_successfully``); running it again
is harmless (an up-to-date database is left as it is).
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from soundstream_common.db import Migrations, create_db_engine

WAIT_SECONDS = 60.0


def load(reference: str) -> Any:
    """The object named by ``package.module:attribute``."""
    module, _, attribute = reference.partition(":")
    return getattr(importlib.import_module(module), attribute)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--settings", required=True, help="Settings class, module:Class")
    parser.add_argument("--migrations", required=True, help="Migrations object, module:NAME")
    parser.add_argument("--wait", type=float, default=WAIT_SECONDS, help="Seconds to wait.")
    args = parser.parse_args(argv)
    settings = load(args.settings)()
    migrations: Migrations = load(args.migrations)
    engine = create_db_engine(settings.database_url)
    where = engine.url.render_as_string(hide_password=True)
    deadline = time.monotonic() + args.wait
    try:
        while True:
            try:
                with engine.connect() as conn:
                    conn.execute(text("SELECT 1"))
                break
            except OperationalError as exc:
                if time.monotonic() > deadline:
                    print(f"database {where} not reachable: {exc.orig}", file=sys.stderr)
                    return 1
                time.sleep(1.0)
        migrations.upgrade(engine)
        print(f"{where}: at {migrations.current(engine)}")
        return 0
    finally:
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
