"""The listening's migrations handle."""

from listening.config import get_settings
from soundstream_common.db import Migrations, ServiceDatabase

MIGRATIONS = Migrations("listening")

# Registered under the ``soundstream.databases`` entry points (pyproject.toml): how the
# operator tool migrates this database without importing the rest of the service.
DATABASE = ServiceDatabase("listening", get_settings, MIGRATIONS)
