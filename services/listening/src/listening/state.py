"""What the listening service's requests share: the chassis' state with the service's
settings and its events (the service always publishes)."""

from __future__ import annotations

from dataclasses import dataclass

from listening.config import Settings
from soundstream_common.app import EventPublisher, ServiceState


@dataclass(kw_only=True, eq=False)
class ListeningState(ServiceState):
    settings: Settings
    events: EventPublisher
