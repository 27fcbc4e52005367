"""How every write ends: events and version bump in the transaction, then commit, publish and
invalidate (in that order, so no event or invalidation ever precedes the commit)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy.orm import Session

from listening.services.dataset import bump_dataset_version
from soundstream_common.cache import ResponseCache
from soundstream_common.events.contract import DomainEvent
from soundstream_common.events.publish import EventPublisher, finish_write


def commit_write(
    session: Session,
    *,
    events: EventPublisher,
    cache: ResponseCache,
    records: Sequence[DomainEvent],
    groups: Iterable[str],
) -> None:
    """Record ``records``, bump the data set version, then finish the write (commit, publish,
    invalidate ``groups``)."""
    for event in records:
        events.record(session, event)
    bump_dataset_version(session)
    finish_write(session, cache=cache, groups=groups, events=events)
