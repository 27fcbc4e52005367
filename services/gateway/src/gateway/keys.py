"""API keys: creation (the secret is returned once), listing, revocation and verification
(:class:`KeyVerifier`: the declared keys and the database's, remembered briefly).

A key reads ``ss_<id>_<secret>``: ``id`` is public (listings, logs, rate-limit counters), the
secret is 256 random bits. Only ``HMAC-SHA256(key_hash_secret, key)`` is stored: a keyed fast
hash is the right tool for a random high-entropy secret (a slow password hash protects
guessable passwords, which these are not).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
import time
from collections.abc import Iterable
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from gateway.config import Settings
from gateway.models import ApiKey
from soundstream_common.errors import NotFoundError

KEY_PREFIX = "ss_"
BOOTSTRAP_KEY_ID = "bootstrap-admin"
DASHBOARD_KEY_ID = "declared-dashboard"


class Scope(StrEnum):
    read = "read"
    write = "write"
    admin = "admin"


# What each scope grants: admin includes write, write includes read.
GRANTS: dict[Scope, frozenset[Scope]] = {
    Scope.read: frozenset({Scope.read}),
    Scope.write: frozenset({Scope.read, Scope.write}),
    Scope.admin: frozenset(Scope),
}


class KeyNotFoundError(NotFoundError):
    slug, title = "key-not-found", "API key not found"


def effective_scopes(scopes: Iterable[Scope | str]) -> frozenset[Scope]:
    granted: set[Scope] = set()
    for scope in scopes:
        granted |= GRANTS[Scope(scope)]
    return frozenset(granted)


def hash_key(key: str, secret: str) -> str:
    return hmac.new(secret.encode(), key.encode(), hashlib.sha256).hexdigest()


def split_key(key: str) -> str | None:
    """The id part of a well-formed key, else None."""
    if not key.startswith(KEY_PREFIX):
        return None
    key_id, sep, rest = key[len(KEY_PREFIX) :].partition("_")
    return key_id if sep and key_id.isalnum() and rest else None


def create_key(
    session: Session, *, name: str, scopes: Iterable[Scope], hash_secret: str
) -> tuple[ApiKey, str]:
    """A new key row (committed) and the key itself, which is never stored."""
    key_id = secrets.token_hex(8)
    key = f"{KEY_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
    row = ApiKey(
        id=key_id,
        name=name,
        secret_hash=hash_key(key, hash_secret),
        scopes=" ".join(sorted({Scope(s).value for s in scopes})),
        created_at=datetime.datetime.now(datetime.UTC),
    )
    session.add(row)
    session.commit()
    return row, key


def list_keys(session: Session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).order_by(ApiKey.created_at, ApiKey.id)))


def revoke_key(session: Session, *, key_id: str) -> ApiKey:
    row = session.get(ApiKey, key_id)
    if row is None or row.revoked_at is not None:
        raise KeyNotFoundError(f"No active API key has id {key_id!r}.")
    row.revoked_at = datetime.datetime.now(datetime.UTC)
    session.commit()
    return row


def verify_key(session: Session, *, key: str, hash_secret: str) -> ApiKey | None:
    """The active key row matching ``key`` exactly, else None."""
    key_id = split_key(key)
    if key_id is None:
        return None
    row = session.get(ApiKey, key_id)
    if row is None or row.revoked_at is not None:
        return None
    if not hmac.compare_digest(row.secret_hash, hash_key(key, hash_secret)):
        return None
    return row


class KeyVerifier:
    """Checks keys against the database and the keys the deployment declares (the bootstrap
    admin key, the dashboard's read key), remembering database answers briefly."""

    def __init__(self, settings: Settings, sessions: sessionmaker[Session]) -> None:
        self.secret = settings.key_hash_secret.get_secret_value()
        declared = (
            (BOOTSTRAP_KEY_ID, settings.admin_api_key, frozenset(Scope)),
            (DASHBOARD_KEY_ID, settings.dashboard_api_key, effective_scopes([Scope.read])),
        )
        # (hash, id, scopes) of each declared key that is set.
        self.declared = [
            (hash_key(key.get_secret_value(), self.secret), key_id, scopes)
            for key_id, key, scopes in declared
            if key is not None and key.get_secret_value()
        ]
        self.sessions = sessions
        self.ttl = settings.key_cache_seconds
        self._remembered: dict[str, tuple[float, tuple[str, frozenset[Scope]] | None]] = {}

    def forget(self, key_id: str) -> None:
        """Drop a revoked key from this process' memory at once."""
        self._remembered = {
            digest: entry
            for digest, entry in self._remembered.items()
            if entry[1] is None or entry[1][0] != key_id
        }

    async def verify(self, key: str) -> tuple[str, frozenset[Scope]] | None:
        digest = hash_key(key, self.secret)
        for declared_hash, key_id, scopes in self.declared:
            if hmac.compare_digest(digest, declared_hash):
                return key_id, scopes
        remembered = self._remembered.get(digest)
        now = time.monotonic()
        if remembered is not None and remembered[0] > now:
            return remembered[1]
        found = await run_in_threadpool(self._lookup, key)
        if len(self._remembered) > 10_000:
            self._remembered.clear()
        self._remembered[digest] = (now + self.ttl, found)
        return found

    def _lookup(self, key: str) -> tuple[str, frozenset[Scope]] | None:
        with self.sessions() as session:
            row = verify_key(session, key=key, hash_secret=self.secret)
            if row is None:
                return None
            return row.id, effective_scopes(row.scopes.split())
