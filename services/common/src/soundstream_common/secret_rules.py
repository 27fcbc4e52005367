"""What a deployment's secrets must be, outside development: one rule for every service.

A secret (the service token every internal call carries, the gateway's admin key and key-hash
secret) must be at least :data:`MIN_SECRET_LENGTH` characters drawn at random: not a value
the project ships (the ``.env.example`` placeholders, a setting's default), not a word
repeated. Passwords inside database and Redis URLs are refused when they are a shipped
placeholder. In development (``SOUNDSTREAM_ENVIRONMENT=development``, which ``make dev``
sets) nothing is refused: the local runner generates its own secrets.
"""

from __future__ import annotations

import hmac

MIN_SECRET_LENGTH = 32
MIN_DISTINCT_CHARACTERS = 10
GENERATE_HINT = (
    "generate one with `openssl rand -hex 32` "
    "(or `python -c 'import secrets; print(secrets.token_hex(32))'`)"
)

PLACEHOLDER_SECRETS = frozenset(
    {
        # .env.example (a test keeps this list and that file in step)
        "change-me-postgres",
        "change-me-catalog",
        "change-me-listening",
        "change-me-recommender",
        "change-me-gateway",
        "change-me-redis",
        "change-me-service-token",
        "change-me-admin-key",
        "change-me-key-hash-secret",
        "change-me-dashboard-key",
        "change-me-analytics",
        # defaults and examples the project has shipped
        "soundstream-gateway",
        "soundstream",
        "postgres",
        "password",
        "secret",
    }
)
PLACEHOLDER_MARKERS = ("change-me", "changeme", "replace-me", "example")


def is_placeholder(value: str) -> bool:
    """True for a value the project ships or one that says it must be replaced."""
    lowered = value.strip().lower()
    return lowered in PLACEHOLDER_SECRETS or any(m in lowered for m in PLACEHOLDER_MARKERS)


def secret_problem(value: str | None) -> str | None:
    """Why ``value`` cannot be a deployment's secret, or None when it can."""
    if not value:
        return "is not set"
    if is_placeholder(value):
        return "is a placeholder shipped with the project"
    if len(value) < MIN_SECRET_LENGTH:
        return f"is {len(value)} characters long (at least {MIN_SECRET_LENGTH} are needed)"
    if len(set(value)) < MIN_DISTINCT_CHARACTERS:
        return "does not look random (too few distinct characters)"
    return None


def password_problem(password: str | None) -> str | None:
    """Why a password inside a URL cannot be used, or None (only shipped values are refused:
    the database's and Redis' own rules say the rest)."""
    if password and is_placeholder(password):
        return "holds a placeholder password shipped with the project"
    return None


def same_secret(presented: str, expected: str) -> bool:
    """Compare two secrets in constant time (of the presented value's length)."""
    return hmac.compare_digest(presented.encode(), expected.encode())
