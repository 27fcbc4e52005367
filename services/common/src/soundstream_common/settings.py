"""Settings base class shared by every service.

Each service subclasses :class:`ServiceSettings`, sets its own ``env_prefix`` (``CATALOG_``,
``LISTENING_`` ...) and exposes a cached ``get_settings()``. Nothing is read at import time.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

LogLevel = Literal["TRACE", "DEBUG", "INFO", "SUCCESS", "WARNING", "ERROR", "CRITICAL"]

SUPPORTED_DRIVERS = ("sqlite", "postgresql")


def default_data_dir() -> Path:
    """Where SQLite files live unless a service says otherwise (``SOUNDSTREAM_DATA_DIR``)."""
    return Path(os.environ.get("SOUNDSTREAM_DATA_DIR", "var"))


def normalise_database_url(value: str) -> str:
    """Validate a database URL and pin the driver we ship (psycopg 3 for PostgreSQL)."""
    try:
        url: URL = make_url(value)
    except ArgumentError as exc:
        raise ValueError(f"not a valid database URL: {exc}") from exc
    backend = url.get_backend_name()
    if backend not in SUPPORTED_DRIVERS:
        raise ValueError(f"unsupported database {backend!r}; use sqlite or postgresql")
    if backend == "postgresql" and url.drivername != "postgresql+psycopg":
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


class ServiceSettings(BaseSettings):
    """Settings every service has. Subclasses set ``service_name`` and ``env_prefix``."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    service_name: ClassVar[str] = "service"
    host: str = Field("127.0.0.1", description="Interface the HTTP server binds to.")
    port: int = Field(8000, ge=1, le=65535, description="HTTP port.")
    data_dir: Path = Field(
        default_factory=default_data_dir,
        description="Directory for SQLite files (default: $SOUNDSTREAM_DATA_DIR or ./var).",
    )
    database_url: str = Field(
        "",
        description="SQLAlchemy URL; empty = SQLite file <data_dir>/<service>.db.",
    )
    sqlite_busy_timeout_ms: int = Field(5000, ge=0, description="SQLite busy timeout.")
    db_pool_size: int = Field(10, ge=1, description="PostgreSQL connection pool size.")
    redis_url: str = Field(
        "redis://127.0.0.1:6379/0",
        description="Redis for the response cache and domain events; empty disables both.",
    )
    cache_ttl_seconds: int = Field(300, ge=1, description="Default TTL of cached responses.")
    log_level: LogLevel = Field("INFO", description="Console log level.")
    log_json: bool | None = Field(
        None, description="JSON logs; unset = JSON unless stderr is a terminal."
    )
    log_dir: Path | None = Field(
        None, description="If set: app.log, errors.log and access.log are written here."
    )

    @field_validator("database_url")
    @classmethod
    def _validate_database_url(cls, value: str) -> str:
        return normalise_database_url(value) if value else value

    @field_validator("redis_url")
    @classmethod
    def _validate_redis_url(cls, value: str) -> str:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("redis_url must start with redis://, rediss:// or unix://")
        return value

    @model_validator(mode="after")
    def _fill_defaults(self) -> ServiceSettings:
        if not self.database_url:
            path = (self.data_dir / f"{self.service_name}.db").resolve()
            self.database_url = f"sqlite:///{path}"
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def public_dict(self) -> dict[str, Any]:
        """Settings with secrets masked, for logs and diagnostics."""
        data = self.model_dump(mode="json")
        data["database_url"] = make_url(self.database_url).render_as_string(hide_password=True)
        if self.redis_url and "@" in self.redis_url:
            scheme, rest = self.redis_url.split("://", 1)
            data["redis_url"] = f"{scheme}://***@{rest.split('@', 1)[1]}"
        return data
