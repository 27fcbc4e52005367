"""What the analytics service's requests share: the chassis' state with the service's settings."""

from __future__ import annotations

from dataclasses import dataclass

from analytics.config import Settings
from soundstream_common.app import ServiceState


@dataclass(kw_only=True, eq=False)
class AnalyticsState(ServiceState):
    settings: Settings
