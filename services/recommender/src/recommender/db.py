"""The recommender's migrations handle."""

from soundstream_common.db import Migrations

MIGRATIONS = Migrations("recommender")
