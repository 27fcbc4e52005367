"""How every catalog write ends: the export's version advanced in the write's transaction, then
the chassis' finish (commit, publish the recorded events, invalidate), in that order."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy.orm import Session

from catalog.services.dataset import bump_dataset_version
from soundstream_common.cache import ResponseCache
from soundstream_common.events.publish import EventPublisher, finish_write


def commit_write(
    session: Session,
    *,
    cache: ResponseCache,
    groups: Iterable[str],
    events: EventPublisher | None = None,
    explain_conflict: Callable[[], None] | None = None,
) -> None:
    """Advance the data set version, then :func:`finish_write` (see there for conflicts)."""
    bump_dataset_version(session)
    finish_write(
        session, cache=cache, groups=groups, events=events, explain_conflict=explain_conflict
    )
