"""The gateway's migrations handle (its database holds the API keys)."""

from __future__ import annotations

from soundstream_common.db import Migrations

MIGRATIONS = Migrations("gateway")
