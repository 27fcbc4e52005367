"""Listening settings (environment prefix ``LISTENING_``)."""

from __future__ import annotations

from functools import lru_cache
from typing import ClassVar

from pydantic import Field

from soundstream_common.settings import EventConsumerSettings


class Settings(EventConsumerSettings):
    service_name: ClassVar[str] = "listening"
    port: int = Field(8002, ge=1, le=65535, description="HTTP port.")


@lru_cache
def get_settings() -> Settings:
    return Settings()
