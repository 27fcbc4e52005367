"""Settings base class shared by every service.

Each service subclasses :class:`ServiceSettings`, names itself (``service_name``: its
environment prefix, ``CATALOG_``, ``LISTENING_`` ..., is derived from it), declares its HTTP
port (the one of ``infra/stack.toml``; a test holds them equal) and exposes a cached
``get_settings()``. Nothing is read at import time.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, ClassVar, Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from soundstream_common.secret_rules import GENERATE_HINT, password_problem, secret_problem

LogLevel = Literal["TRACE", "DEBUG", "INFO", "SUCCESS", "WARNING", "ERROR", "CRITICAL"]
Environment = Literal["development", "production"]

ENVIRONMENT_VARIABLE = "SOUNDSTREAM_ENVIRONMENT"
SERVICE_TOKEN_VARIABLE = "SOUNDSTREAM_SERVICE_TOKEN"

SUPPORTED_DRIVERS = ("sqlite", "postgresql")


def default_data_dir() -> Path:
    """Where SQLite files live unless a service says otherwise (``SOUNDSTREAM_DATA_DIR``)."""
    return Path(os.environ.get("SOUNDSTREAM_DATA_DIR", "var"))


def env_prefix(service: str) -> str:
    """The prefix of a service's environment variables: ``catalog`` reads ``CATALOG_*``."""
    return f"{service.upper()}_"


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


def _url_password(url: str) -> str | None:
    try:
        return urlsplit(url).password
    except ValueError:
        return None


class ServiceSettings(BaseSettings):
    """Settings every service has. Subclasses set ``service_name`` (their environment prefix
    is derived from it) and the default of ``port``."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        validate_by_name=True,
        hide_input_in_errors=True,  # a refused setting may be a secret: never echo it
    )

    service_name: ClassVar[str] = "service"
    # Secrets checked outside development (soundstream_common.secret_rules): the required ones
    # must be set, the optional ones only when they are.
    required_secrets: ClassVar[tuple[str, ...]] = ("service_token",)
    optional_secrets: ClassVar[tuple[str, ...]] = ()
    # An internal service: every route of its API needs the service token. The gateway, the
    # one public API, holds the token and checks API keys instead.
    internal: ClassVar[bool] = True

    environment: Environment = Field(
        "production",
        validation_alias=AliasChoices(ENVIRONMENT_VARIABLE),
        description="`production` (the default) refuses to start with a missing, placeholder, "
        "default or short secret; `development` (set by `make dev`) accepts anything. "
        "One variable for every service.",
    )
    service_token: SecretStr | None = Field(
        None,
        validation_alias=AliasChoices(SERVICE_TOKEN_VARIABLE),
        description="The token every call to an internal service carries (`X-Service-Token`); "
        "the gateway, workers, consumers and admin tools hold it. At least 32 random "
        "characters; unset is allowed in development only (no check). One variable for "
        "every service.",
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description='Addresses or networks of reverse proxies, e.g. ["10.0.0.0/8"]: only '
        "their `X-Forwarded-For` / `X-Forwarded-Proto` are believed (the client address, "
        "for logs and rate limits, is then the one they forward). Empty = none trusted.",
    )
    host: str = Field("127.0.0.1", description="Interface the HTTP server binds to.")
    port: int = Field(ge=1, le=65535, description="HTTP port.")
    workers: int = Field(
        1,
        ge=1,
        le=64,
        description="Server processes sharing the port (each a full copy of the application).",
    )
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
    library_log_level: LogLevel = Field(
        "WARNING",
        description="Level of third-party libraries' logs (httpx, SQLAlchemy, Redis, ...).",
    )
    log_json: bool | None = Field(
        None, description="JSON logs; unset = JSON unless stderr is a terminal."
    )
    metrics_token: SecretStr | None = Field(
        None,
        description="Bearer token Prometheus sends to read /metrics; unset: /metrics is off.",
    )
    log_dir: Path | None = Field(
        None, description="If set: app.log, errors.log and access.log are written here."
    )

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls.model_config["env_prefix"] = env_prefix(cls.service_name)

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

    @model_validator(mode="after")
    def _refuse_weak_secrets(self) -> ServiceSettings:
        if self.environment != "development":
            problems = self.secret_problems()
            if problems:
                raise ValueError(
                    f"{self.service_name} refuses to start in {self.environment}: "
                    + "; ".join(problems)
                    + f". For each, {GENERATE_HINT}. Local development: "
                    f"{ENVIRONMENT_VARIABLE}=development (`make dev` sets it)."
                )
        return self

    @classmethod
    def variable_name(cls, field: str) -> str:
        """The environment variable a setting is read from."""
        alias = cls.model_fields[field].validation_alias
        if isinstance(alias, AliasChoices):
            return str(alias.choices[0])
        return f"{cls.model_config.get('env_prefix', '')}{field}".upper()

    def secret_value(self, field: str) -> str | None:
        value = getattr(self, field)
        if isinstance(value, SecretStr):
            return value.get_secret_value()
        return None if value is None else str(value)

    def secret_problems(self) -> list[str]:
        """What makes these settings unfit outside development (empty when nothing does)."""
        problems = []
        for field in (*self.required_secrets, *self.optional_secrets):
            value = self.secret_value(field)
            if field in self.optional_secrets and value is None:
                continue
            problem = secret_problem(value)
            if problem:
                problems.append(f"{self.variable_name(field)} {problem}")
        for field, url in (("database_url", self.database_url), ("redis_url", self.redis_url)):
            if url and not url.startswith("sqlite"):
                problem = password_problem(_url_password(url))
                if problem:
                    problems.append(f"{self.variable_name(field)} {problem}")
        return problems

    def service_token_value(self) -> str | None:
        """The service token as plain text, or None when none is configured."""
        return self.service_token.get_secret_value() if self.service_token else None

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def public_dict(self) -> dict[str, Any]:
        """Settings with secrets masked, for logs and diagnostics."""
        data = self.model_dump(mode="json")
        for field in (*self.required_secrets, *self.optional_secrets):
            if data.get(field):
                data[field] = "**********"
        data["database_url"] = make_url(self.database_url).render_as_string(hide_password=True)
        if self.redis_url and "@" in self.redis_url:
            scheme, rest = self.redis_url.split("://", 1)
            data["redis_url"] = f"{scheme}://***@{rest.split('@', 1)[1]}"
        return data


class EventConsumerSettings(ServiceSettings):
    """Settings of a service that consumes domain events (its ``<service>-events`` process)."""

    events_max_deliveries: int = Field(
        5, ge=1, description="Deliveries of a failing event before it is dead-lettered."
    )
    events_retry_after_ms: int = Field(
        2000, ge=0, description="Idle time (ms) before a failed event is delivered again."
    )

    def consumer_options(self) -> dict[str, int]:
        """The options of the service's event consumer these settings fix."""
        return {
            "max_deliveries": self.events_max_deliveries,
            "retry_after_ms": self.events_retry_after_ms,
        }
