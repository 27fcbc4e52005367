"""Dashboard settings (environment prefix ``DASHBOARD_``). Nothing is read at import time."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Where the dashboard listens and which gateway it talks to."""

    model_config = SettingsConfigDict(
        env_prefix="DASHBOARD_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    host: str = Field("127.0.0.1", description="Interface the Streamlit server binds to.")
    port: int = Field(8501, ge=1, le=65535, description="HTTP port of the dashboard.")
    gateway_url: str = Field(
        "http://127.0.0.1:8000", description="Base URL of the SoundStream gateway."
    )
    api_key: SecretStr | None = Field(
        None,
        description="Gateway API key; an admin key unlocks retraining on the Models page and "
        "starting runs on the Jobs page.",
    )
    request_timeout_seconds: float = Field(
        15.0, gt=0, description="Timeout of each request to the gateway."
    )

    def api_key_value(self) -> str | None:
        """The API key as plain text, or ``None`` when none is configured."""
        return self.api_key.get_secret_value() if self.api_key else None


@lru_cache
def get_settings() -> Settings:
    return Settings()
