"""The event envelope and stream naming."""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

STREAM_PREFIX = "soundstream:events:"
DLQ_PREFIX = "soundstream:dlq:"


def stream_for(producer: str) -> str:
    return f"{STREAM_PREFIX}{producer}"


def dead_letter_stream(group: str) -> str:
    return f"{DLQ_PREFIX}{group}"


def _now() -> str:
    return datetime.now(UTC).isoformat()


@dataclass(frozen=True)
class Event:
    """One domain fact, e.g. ``artist.deleted`` with ``{"artist_id": 7}``."""

    type: str
    payload: dict[str, Any]
    producer: str
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    occurred_at: str = field(default_factory=_now)

    def to_fields(self) -> dict[str, str]:
        return {"event": json.dumps(asdict(self), separators=(",", ":"))}

    @classmethod
    def from_fields(cls, fields: dict[bytes, bytes]) -> Event:
        data = json.loads(fields[b"event"])
        return cls(**data)
