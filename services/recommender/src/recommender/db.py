"""The recommender's migrations handle."""

from recommender.config import get_settings
from soundstream_common.db import Migrations, ServiceDatabase

MIGRATIONS = Migrations("recommender")

# Registered under the ``soundstream.databases`` entry points (pyproject.toml): how the
# operator tool migrates this database without importing the rest of the service.
DATABASE = ServiceDatabase("recommender", get_settings, MIGRATIONS)
