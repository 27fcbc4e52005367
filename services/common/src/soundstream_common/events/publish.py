"""The producer's side of the contract: record events in a write's transaction, and finish
every write the same way (commit, then wake the relay, then invalidate cached answers)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from soundstream_common.cache import ResponseCache
from soundstream_common.events.contract import DomainEvent
from soundstream_common.events.outbox import Outbox, OutboxRelay


class EventPublisher:
    """What a write path needs: record events in its transaction, then poke the relay."""

    def __init__(self, outbox: Outbox, relay: OutboxRelay | None) -> None:
        self.outbox = outbox
        self.relay = relay

    def record(self, session: Session, event: DomainEvent) -> None:
        """Add ``event`` to the outbox in ``session``'s transaction (published after commit)."""
        self.outbox.add(session, event)

    def committed(self) -> None:
        if self.relay is not None:
            self.relay.notify()


def finish_write(
    session: Session,
    *,
    cache: ResponseCache,
    groups: Iterable[str],
    events: EventPublisher | None = None,
    explain_conflict: Callable[[], None] | None = None,
) -> None:
    """Commit, then wake the relay for events recorded in the transaction, then invalidate
    the cache ``groups`` (in that order: no event or invalidation ever precedes the commit).

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
