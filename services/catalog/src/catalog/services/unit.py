"""Finishing a write: commit, publish recorded events, invalidate cached answers."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from soundstream_common.app import EventPublisher
from soundstream_common.cache import ResponseCache


def commit(
    session: Session,
    *,
    cache: ResponseCache,
    groups: Iterable[str],
    events: EventPublisher | None = None,
    explain_conflict: Callable[[], None] | None = None,
) -> None:
    """Commit, then wake the relay for events recorded in the transaction, then invalidate.

    A constraint violation at commit (a concurrent write won the race) rolls back and calls
    ``explain_conflict``, which raises the domain error matching the state it finds; when it
    finds none, the violation itself propagates.
    """
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        if explain_conflict is not None:
            explain_conflict()
        raise
    if events is not None:
        events.committed()
    cache.invalidate(groups)
