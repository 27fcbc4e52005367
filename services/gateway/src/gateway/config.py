"""Gateway settings (environment prefix ``GATEWAY_``)."""

from __future__ import annotations

from functools import lru_cache
from typing import ClassVar

from pydantic import Field, SecretStr, field_validator

from soundstream_common.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: ClassVar[str] = "gateway"
    required_secrets: ClassVar[tuple[str, ...]] = ("service_token", "key_hash_secret")
    optional_secrets: ClassVar[tuple[str, ...]] = ("admin_api_key", "dashboard_api_key")
    internal: ClassVar[bool] = False

    port: int = Field(8000, ge=1, le=65535, description="HTTP port.")

    redis_url: str = Field(
        "redis://127.0.0.1:6379/0",
        description="Redis for rate limits and the response cache; empty = limits counted "
        "per process, no cache.",
    )

    # Upstreams.
    catalog_url: str = Field("http://127.0.0.1:8001", description="Catalog service base URL.")
    listening_url: str = Field("http://127.0.0.1:8002", description="Listening service base URL.")
    recommender_url: str = Field(
        "http://127.0.0.1:8003", description="Recommender service base URL."
    )
    analytics_url: str = Field("http://127.0.0.1:8004", description="Analytics service base URL.")
    connect_timeout_seconds: float = Field(
        0.5, gt=0, le=30, description="Timeout to open a connection to an upstream."
    )
    read_timeout_seconds: float = Field(
        10.0, gt=0, le=300, description="Timeout waiting for an upstream's answer (then 504)."
    )
    upstream_retries: int = Field(
        1,
        ge=0,
        le=5,
        description="Retries of idempotent requests (GET, PUT, DELETE) on connection errors.",
    )
    upstream_max_connections: int = Field(
        100, ge=1, description="Connection pool size per upstream."
    )
    upstream_pool_timeout_seconds: float = Field(
        10.0,
        gt=0,
        le=300,
        description="How long a call waits for a free pooled connection to an upstream before "
        "a 503 gateway-busy (the gateway's own saturation: the upstream's breaker is untouched).",
    )
    breaker_failure_threshold: int = Field(
        5, ge=1, description="Consecutive upstream failures that open its circuit breaker."
    )
    breaker_reset_seconds: float = Field(
        5.0,
        gt=0,
        description="How long an open breaker refuses calls before letting one trial through.",
    )

    # Authentication.
    admin_api_key: SecretStr | None = Field(
        None,
        description="Bootstrap key with every scope (create the real keys with it). "
        "Unset = no bootstrap key. Outside development: at least 32 random characters.",
    )
    dashboard_api_key: SecretStr | None = Field(
        None,
        description="The dashboard's key, declared by the deployment (the same secret as the "
        "dashboard's DASHBOARD_API_KEY): accepted with the read scope, so the dashboard needs "
        "no key made through a running gateway. Unset = none. Outside development: at least "
        "32 random characters. Rotate it by changing the secret on both.",
    )
    key_hash_secret: SecretStr = Field(
        SecretStr("soundstream-gateway"),
        description="Secret keying the HMAC-SHA256 under which API keys are stored. "
        "Required outside development (at least 32 random characters; the default is "
        "refused); changing it invalidates every stored key.",
    )
    public_reads: bool = Field(
        True, description="Allow reads without an API key (writes always need one)."
    )
    key_cache_seconds: float = Field(
        5.0,
        ge=0,
        description="How long a verified key is remembered in process (a revoked key may "
        "work this long on other gateway processes).",
    )

    # Rate limits: requests per window, per key (per client address when anonymous).
    rate_limit_window_seconds: int = Field(60, ge=1, description="Rate-limit window.")
    rate_limit_anonymous: int = Field(
        300, ge=1, description="Requests per window for callers without a key, per address."
    )
    rate_limit_read: int = Field(600, ge=1, description="Requests per window for read keys.")
    rate_limit_write: int = Field(1200, ge=1, description="Requests per window for write keys.")
    rate_limit_admin: int = Field(6000, ge=1, description="Requests per window for admin keys.")

    # Responses.
    response_cache: bool = Field(
        True, description="Cache public GET answers in Redis (off: every GET goes upstream)."
    )
    cache_ttl_seconds: int = Field(
        5, ge=1, description="TTL of cached public GET answers (seconds)."
    )
    max_body_bytes: int = Field(
        1_048_576, ge=1, description="Largest accepted request body (larger: 413)."
    )
    cors_origins: list[str] = Field(
        default_factory=list,
        description='Origins allowed by CORS, e.g. ["https://app.example"]; empty = no CORS.',
    )

    @field_validator("catalog_url", "listening_url", "recommender_url", "analytics_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("an upstream URL must start with http:// or https://")
        return value.rstrip("/")

    def upstream_urls(self) -> dict[str, str]:
        return {
            "catalog": self.catalog_url,
            "listening": self.listening_url,
            "recommender": self.recommender_url,
            "analytics": self.analytics_url,
        }


@lru_cache
def get_settings() -> Settings:
    return Settings()
