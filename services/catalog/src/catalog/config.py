"""Catalog settings (environment prefix ``CATALOG_``)."""

from __future__ import annotations

from functools import lru_cache
from typing import ClassVar, Literal

from pydantic import Field

from soundstream_common.settings import EventConsumerSettings


class Settings(EventConsumerSettings):
    service_name: ClassVar[str] = "catalog"
    port: int = Field(8001, ge=1, le=65535, description="HTTP port.")
    tag_index: Literal["auto", "off"] = Field(
        "auto",
        description="The tag search's in-memory index: `auto` = on a SQLite file, searches are "
        "answered from memory while the index matches the database (rebuilt in the background "
        "after every change; PostgreSQL always queries); `off` = every search queries the "
        "database.",
    )


@lru_cache
def get_settings() -> Settings:
    return Settings()
