"""The listening's migrations handle."""

from soundstream_common.db import Migrations

MIGRATIONS = Migrations("listening")
