"""API keys of the gateway (managed with an ``admin`` key)."""

from __future__ import annotations

import datetime as dt

from soundstream._models import BaseModel


class APIKey(BaseModel):
    """A key as listed: never its secret."""

    id: str
    name: str
    scopes: list[str]
    created_at: dt.datetime
    revoked_at: dt.datetime | None = None


class APIKeyCreated(APIKey):
    """A new key; ``key`` is the secret, shown this once only."""

    key: str
