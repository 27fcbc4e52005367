"""The gateway's migrations handle (its database holds the API keys)."""

from __future__ import annotations

from gateway.config import get_settings
from soundstream_common.db import Migrations, ServiceDatabase

MIGRATIONS = Migrations("gateway")

# Registered under the ``soundstream.databases`` entry points (pyproject.toml): how the
# operator tool migrates this database without importing the rest of the service.
DATABASE = ServiceDatabase("gateway", get_settings, MIGRATIONS)
