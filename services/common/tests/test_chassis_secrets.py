"""Secure by default: outside development every service refuses weak or shipped secrets."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

import catalog.config
import gateway.config
import listening.config
import recommender.config
from soundstream_common.secret_rules import PLACEHOLDER_SECRETS, same_secret
from soundstream_common.settings import ServiceSettings

REPO = Path(__file__).resolve().parents[3]
SETTINGS: dict[str, type[ServiceSettings]] = {
    "catalog": catalog.config.Settings,
    "listening": listening.config.Settings,
    "recommender": recommender.config.Settings,
    "gateway": gateway.config.Settings,
}
ENTRY_POINTS = {
    "catalog": ["catalog-api", "catalog-events"],
    "listening": ["listening-api", "listening-events"],
    "recommender": [
        "recommender-api",
        "recommender-events",
        "recommender-worker",
        "recommender-beat",
    ],
    "gateway": ["gateway-api"],
}


def strong() -> str:
    return secrets.token_hex(32)


def good_values(service: str) -> dict[str, str]:
    """Environment variables a production deployment of ``service`` sets."""
    values = {"SOUNDSTREAM_ENVIRONMENT": "production", "SOUNDSTREAM_SERVICE_TOKEN": strong()}
    if service == "gateway":
        values |= {"GATEWAY_KEY_HASH_SECRET": strong(), "GATEWAY_ADMIN_API_KEY": strong()}
    return values


@pytest.fixture(params=sorted(SETTINGS))
def service(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each service, in production, with strong secrets (tests then spoil one)."""
    name = str(request.param)
    for key, value in good_values(name).items():
        monkeypatch.setenv(key, value)
    return name


def env_example_placeholders() -> dict[str, str]:
    """The secret-like assignments of .env.example."""
    found = {}
    for line in (REPO / ".env.example").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Z_]+(?:PASSWORD|KEY|SECRET|TOKEN))=(.*)$", line)
        if match:
            found[match.group(1)] = match.group(2)
    return found


def test_strong_secrets_start_in_production(service: str) -> None:
    settings = SETTINGS[service]()

    assert settings.environment == "production"
    assert settings.secret_problems() == []
    assert settings.public_dict()["service_token"] == "**********"


def test_production_is_the_default(service: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOUNDSTREAM_ENVIRONMENT")
    monkeypatch.delenv("SOUNDSTREAM_SERVICE_TOKEN")

    with pytest.raises(ValidationError, match="SOUNDSTREAM_SERVICE_TOKEN is not set"):
        SETTINGS[service]()


@pytest.mark.parametrize("placeholder", sorted(PLACEHOLDER_SECRETS))
def test_every_shipped_placeholder_is_refused_as_the_service_token(
    service: str, monkeypatch: pytest.MonkeyPatch, placeholder: str
) -> None:
    monkeypatch.setenv("SOUNDSTREAM_SERVICE_TOKEN", placeholder)

    with pytest.raises(ValidationError) as refused:
        SETTINGS[service]()

    message = str(refused.value)
    assert f"{service} refuses to start in production" in message
    assert "SOUNDSTREAM_SERVICE_TOKEN is a placeholder" in message
    assert "openssl rand -hex 32" in message
    assert "input_value" not in message  # no secret is echoed in the error


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("x", "is 1 characters long (at least 32 are needed)"),
        ("s3cr3t-but-too-short-0123456789", "is 31 characters long"),
        ("ab" * 20, "does not look random"),
        ("CHANGE-ME-" + "0123456789abcdef" * 2, "is a placeholder"),
    ],
)
def test_short_or_patterned_tokens_are_refused(
    service: str, monkeypatch: pytest.MonkeyPatch, value: str, problem: str
) -> None:
    monkeypatch.setenv("SOUNDSTREAM_SERVICE_TOKEN", value)

    with pytest.raises(ValidationError, match=re.escape(f"SOUNDSTREAM_SERVICE_TOKEN {problem}")):
        SETTINGS[service]()


@pytest.mark.parametrize(
    ("variable", "value", "problem"),
    [
        ("GATEWAY_ADMIN_API_KEY", "change-me-admin-key", "is a placeholder"),
        ("GATEWAY_ADMIN_API_KEY", "k", "is 1 characters long"),
        ("GATEWAY_KEY_HASH_SECRET", "change-me-key-hash-secret", "is a placeholder"),
        ("GATEWAY_KEY_HASH_SECRET", "soundstream-gateway", "is a placeholder"),  # the default
        ("GATEWAY_KEY_HASH_SECRET", "0123456789abcdef", "is 16 characters long"),
        ("GATEWAY_DASHBOARD_API_KEY", "change-me-dashboard-key", "is a placeholder"),
    ],
)
def test_the_gateway_refuses_a_weak_admin_key_or_key_hash_secret(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, problem: str
) -> None:
    for key, good in good_values("gateway").items():
        monkeypatch.setenv(key, good)
    monkeypatch.setenv(variable, value)

    with pytest.raises(ValidationError, match=re.escape(f"{variable} {problem}")):
        gateway.config.Settings()


def test_the_gateway_needs_its_key_hash_secret_but_not_a_bootstrap_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for key, good in good_values("gateway").items():
        monkeypatch.setenv(key, good)
    monkeypatch.delenv("GATEWAY_ADMIN_API_KEY")
    assert gateway.config.Settings().admin_api_key is None

    monkeypatch.delenv("GATEWAY_KEY_HASH_SECRET")
    with pytest.raises(ValidationError, match="GATEWAY_KEY_HASH_SECRET is a placeholder"):
        gateway.config.Settings()


def test_placeholder_passwords_in_database_and_redis_urls_are_refused(
    service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    prefix = service.upper() + "_"
    monkeypatch.setenv(
        f"{prefix}DATABASE_URL", f"postgresql://{service}:change-me-{service}@db:5432/{service}"
    )
    monkeypatch.setenv(f"{prefix}REDIS_URL", "redis://:change-me-redis@redis:6379/0")

    with pytest.raises(ValidationError) as refused:
        SETTINGS[service]()

    assert f"{prefix}DATABASE_URL holds a placeholder password" in str(refused.value)
    assert f"{prefix}REDIS_URL holds a placeholder password" in str(refused.value)


def test_development_accepts_anything(service: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOUNDSTREAM_ENVIRONMENT", "development")
    monkeypatch.setenv("SOUNDSTREAM_SERVICE_TOKEN", "change-me-service-token")

    assert SETTINGS[service]().environment == "development"


def test_every_secret_of_env_example_is_refused_by_name() -> None:
    placeholders = env_example_placeholders()

    assert {"GATEWAY_ADMIN_API_KEY", "GATEWAY_KEY_HASH_SECRET", "SOUNDSTREAM_SERVICE_TOKEN"} <= (
        set(placeholders)
    )
    # an empty value leaves its feature off (metrics, Grafana's own login): nothing to refuse
    unrefused = {k: v for k, v in placeholders.items() if v and v not in PLACEHOLDER_SECRETS}
    assert unrefused == {}


def test_secrets_are_compared_in_constant_time() -> None:
    assert same_secret("a" * 64, "a" * 64)
    assert not same_secret("a" * 64, "a" * 63 + "b")
    assert not same_secret("", "a")


@pytest.mark.parametrize(
    "command", [command for commands in ENTRY_POINTS.values() for command in commands]
)
def test_every_process_refuses_to_start_with_the_env_example_secrets(
    command: str, tmp_path: Path
) -> None:
    """What an operator who copies .env.example unchanged sees: no process starts."""
    env = {k: v for k, v in os.environ.items() if k != "SOUNDSTREAM_ENVIRONMENT"}
    env |= env_example_placeholders()
    env |= {"SOUNDSTREAM_DATA_DIR": str(tmp_path), "PYTHONDONTWRITEBYTECODE": "1"}

    done = subprocess.run(
        [str(Path(sys.executable).parent / command)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode != 0
    assert "refuses to start in production" in done.stderr
    assert "SOUNDSTREAM_SERVICE_TOKEN is a placeholder" in done.stderr
    assert "openssl rand -hex 32" in done.stderr
