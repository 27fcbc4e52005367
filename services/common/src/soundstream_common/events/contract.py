"""The event contract: every domain event the services exchange, as a typed payload.

A producer records one inside its write's transaction::

    events.record(session, ArtistDeleted(artist_id=artist_id))

and a consumer handles it with a method marked ``@handles(ArtistDeleted)``
(:mod:`soundstream_common.events.handlers`), so "find usages" on :class:`ArtistDeleted`
shows the whole cascade, and a payload change is a type error in every service.

On the wire an event is the JSON envelope of :class:`~soundstream_common.events.envelope.Event`
whose ``payload`` is :meth:`DomainEvent.payload` (fields left ``None`` are omitted). Payloads
are validated strictly when consumed; fields a consumer does not know are ignored, so a
producer may add one before its consumers use it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from soundstream_common.events.envelope import stream_for
from soundstream_common.ids import MAX_ID

EntityId = Annotated[int, Field(ge=1, le=MAX_ID)]
"""An artist, user or tag id as every service stores it (a positive 32-bit integer)."""

Count = Annotated[int, Field(ge=0)]


class Producer(StrEnum):
    """A service that publishes events, each to its own stream."""

    CATALOG = "catalog"
    LISTENING = "listening"

    @property
    def stream(self) -> str:
        return stream_for(self.value)


class DomainEvent(BaseModel):
    """One fact a service publishes. Subclasses set :attr:`TYPE` and :attr:`PRODUCER`."""

    model_config = ConfigDict(frozen=True, strict=True, extra="ignore")

    TYPE: ClassVar[str]
    """The envelope's ``type``, e.g. ``artist.deleted``."""
    PRODUCER: ClassVar[Producer]
    """The only service that publishes it (to ``PRODUCER.stream``)."""

    def payload(self) -> dict[str, Any]:
        """The envelope's ``payload``: the fields as JSON values, ``None`` ones left out."""
        return self.model_dump(mode="json", exclude_none=True)


class ArtistCreated(DomainEvent):
    """An artist was added to the catalog: listens may name it from now on."""

    TYPE: ClassVar[str] = "artist.created"
    PRODUCER: ClassVar[Producer] = Producer.CATALOG

    artist_id: EntityId


class ArtistDeleted(DomainEvent):
    """An artist was deleted from the catalog: whatever other services hold about it goes."""

    TYPE: ClassVar[str] = "artist.deleted"
    PRODUCER: ClassVar[Producer] = Producer.CATALOG

    artist_id: EntityId


class UserCreated(DomainEvent):
    """A user was created (possibly reusing the id of a deleted one)."""

    TYPE: ClassVar[str] = "user.created"
    PRODUCER: ClassVar[Producer] = Producer.LISTENING

    user_id: EntityId


class UserDeleted(DomainEvent):
    """A user was deleted with their listens and friendships."""

    TYPE: ClassVar[str] = "user.deleted"
    PRODUCER: ClassVar[Producer] = Producer.LISTENING

    user_id: EntityId


class ArtistPopularity(BaseModel):
    """An artist's absolute popularity after a change: distinct listeners and total plays."""

    model_config = ConfigDict(frozen=True, strict=True, extra="ignore")

    artist_id: EntityId
    listeners: Count
    plays: Count


class ListensChanged(DomainEvent):
    """Listens changed: the new popularity of each artist concerned, and the user whose listen
    was written (absent when a user was deleted)."""

    TYPE: ClassVar[str] = "listens.changed"
    PRODUCER: ClassVar[Producer] = Producer.LISTENING

    artists: list[ArtistPopularity]
    user_id: EntityId | None = None


EVENTS: tuple[type[DomainEvent], ...] = (
    ArtistCreated,
    ArtistDeleted,
    UserCreated,
    UserDeleted,
    ListensChanged,
)
"""Every event of the contract."""

BY_TYPE: dict[str, type[DomainEvent]] = {event.TYPE: event for event in EVENTS}
