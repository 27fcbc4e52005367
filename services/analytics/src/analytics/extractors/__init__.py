"""The registered extractors, in the order a run exports them."""

from __future__ import annotations

from analytics.extractors.events import DomainEvents
from analytics.extractors.platform import PlatformStateDaily
from analytics.extractors.tagging import (
    TagActivityDaily,
    TagAssignmentEvents,
    TagAssignmentEventsByUser,
    TagUsageDaily,
)
from analytics.framework import Extractor

EXTRACTORS: tuple[type[Extractor], ...] = (
    TagActivityDaily,
    TagUsageDaily,
    PlatformStateDaily,
    TagAssignmentEvents,
    TagAssignmentEventsByUser,
    DomainEvents,
)


def registered(*, personal_rows: bool) -> tuple[type[Extractor], ...]:
    """The extractors a run exports; personal rows only where the setting allows them."""
    return tuple(e for e in EXTRACTORS if personal_rows or not e.personal)
