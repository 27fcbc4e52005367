"""A consumer's side of the contract: handler methods marked with the event they handle.

::

    class ListeningEventHandlers(EventHandlers):
        @handles(ArtistDeleted)
        def artist_deleted(self, event: ArtistDeleted) -> None: ...

The consumer reads the streams of the events its handlers name, validates each payload into
the event's type and calls the handler with it; mypy checks that the handler takes the type
it is marked with. A handler that needs the envelope too (its ``id`` or ``occurred_at``) is
marked ``@handles(SomeEvent, envelope=True)`` and takes it as a second argument::

        @handles(UserDeleted, envelope=True)
        def user_deleted(self, event: UserDeleted, envelope: Event) -> None: ...
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, TypeVar, overload

from soundstream_common.events.contract import DomainEvent
from soundstream_common.events.envelope import Event

E = TypeVar("E", bound=DomainEvent)
S = TypeVar("S")

_MARK = "__handles_event__"
_WITH_ENVELOPE = "__handles_envelope__"

Handler = Callable[[DomainEvent, Event], None]
"""A bound handler as the consumer calls it: the typed event and its envelope."""


@overload
def handles(
    event: type[E], *, envelope: Literal[False] = False
) -> Callable[[Callable[[S, E], None]], Callable[[S, E], None]]: ...


@overload
def handles(
    event: type[E], *, envelope: Literal[True]
) -> Callable[[Callable[[S, E, Event], None]], Callable[[S, E, Event], None]]: ...


def handles(event: type[E], *, envelope: bool = False) -> Callable[[Any], Any]:
    """Mark a method of an :class:`EventHandlers` as the handler of ``event``; with
    ``envelope``, the method also receives the event's :class:`Event` envelope."""

    def mark(method: Any) -> Any:
        setattr(method, _MARK, event)
        setattr(method, _WITH_ENVELOPE, envelope)
        return method

    return mark


class EventHandlers:
    """Base of a service's event handlers: every method marked ``@handles(SomeEvent)``."""

    @classmethod
    def handled(cls) -> dict[type[DomainEvent], str]:
        """Each handled event and the name of the method handling it."""
        found: dict[type[DomainEvent], str] = {}
        for name in dir(cls):
            event: type[DomainEvent] | None = getattr(getattr(cls, name), _MARK, None)
            if event is None:
                continue
            if event in found:
                raise TypeError(f"{cls.__name__} handles {event.__name__} twice")
            found[event] = name
        return found

    @classmethod
    def streams(cls) -> list[str]:
        """The streams the handled events are published to."""
        return sorted({event.PRODUCER.stream for event in cls.handled()})

    def by_type(self) -> dict[str, tuple[type[DomainEvent], Handler]]:
        """Each handled event's wire ``type``: its class and the bound handler."""
        bound: dict[str, tuple[type[DomainEvent], Handler]] = {}
        for event, name in self.handled().items():
            bound[event.TYPE] = (event, self._bound(name))
        return bound

    def _bound(self, name: str) -> Handler:
        method = getattr(self, name)
        if getattr(method, _WITH_ENVELOPE, False):
            with_envelope: Handler = method
            return with_envelope
        return lambda event, _envelope: method(event)
