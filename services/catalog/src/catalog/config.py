"""Catalog settings (environment prefix ``CATALOG_``)."""

from __future__ import annotations

from functools import lru_cache
from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from soundstream_common.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CATALOG_")

    service_name: ClassVar[str] = "catalog"


@lru_cache
def get_settings() -> Settings:
    return Settings()
