"""How every write ends: events and version bump in the transaction, then commit, publish and
invalidate (in that order, so no event or invalidation ever precedes the commit)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.orm import Session

from listening.service.dataset import bump_dataset_version
from soundstream_common.app import EventPublisher
from soundstream_common.cache import ResponseCache

EventRecord = tuple[str, dict[str, Any]]


def commit_write(
    session: Session,
    *,
    events: EventPublisher,
    cache: ResponseCache,
    records: Sequence[EventRecord],
    groups: Iterable[str],
) -> None:
    """Record ``records``, bump the data set version, commit, publish, invalidate ``groups``."""
    for event_type, payload in records:
        events.record(session, event_type, payload)
    bump_dataset_version(session)
    session.commit()
    events.committed()
    cache.invalidate(groups)
