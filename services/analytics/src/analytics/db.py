"""The analytics service's migrations handle (its own run history; see :mod:`analytics.models`)."""

from __future__ import annotations

from soundstream_common.db import Migrations

MIGRATIONS = Migrations("analytics")
