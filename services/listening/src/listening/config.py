"""Listening settings (environment prefix ``LISTENING_``)."""

from __future__ import annotations

from functools import lru_cache
from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from soundstream_common.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="LISTENING_")

    service_name: ClassVar[str] = "listening"
    events_max_deliveries: int = Field(
        5, ge=1, description="Deliveries of a failing event before it is dead-lettered."
    )
    events_retry_after_ms: int = Field(
        2000, ge=0, description="Idle time before a failed event is delivered again."
    )


@lru_cache
def get_settings() -> Settings:
    return Settings()
