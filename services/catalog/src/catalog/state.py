"""What the catalog's requests share: the chassis' state with the catalog's settings, its
events (the catalog always publishes) and the search's tag index."""

from __future__ import annotations

from dataclasses import dataclass, field

from catalog.config import Settings
from catalog.services.tag_index import TagIndex
from soundstream_common.app import EventPublisher, ServiceState


@dataclass(kw_only=True, eq=False)
class CatalogState(ServiceState):
    settings: Settings
    events: EventPublisher
    tag_index: TagIndex = field(init=False)
    """The search's in-memory index of tag assignments (built at start-up, in the background)."""
