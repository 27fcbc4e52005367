"""The analytics service's migrations handle (its own run history; see :mod:`analytics.models`)."""

from __future__ import annotations

from analytics.config import get_settings
from soundstream_common.db import Migrations, ServiceDatabase

MIGRATIONS = Migrations("analytics")

# Registered under the ``soundstream.databases`` entry points (pyproject.toml): how the
# operator tool migrates this database without importing the rest of the service.
DATABASE = ServiceDatabase("analytics", get_settings, MIGRATIONS)
