"""The hot read, ``GET /recommendations/users/{id}`` for a user the model knows, kept cheap.

One non-blocking Redis round trip per request (``MGET`` of the current-version pointer and
the exclusions stamp, on an asyncio client) validates in-process copies: the version's
metadata, users' precomputed entries (at most ``serving_cache_users``), the deleted
artists and users, and each user's hidden artists. When they are all in memory the answer
is built on the event loop; otherwise one thread-pool call loads what is missing. Whoever
changes an exclusion (feedback, a deletion event) commits it to the database first and then
increments the stamp (``<prefix>:exclusions``), so every process reloads its exclusions on
its next request: hidden and deleted artists are gone at once.

Anything else — Redis unavailable, no pointer (flushed), a user the model does not know or
has no listens for — returns ``None`` and the request takes the general path.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from datetime import datetime
from typing import Any

import redis
import redis.asyncio as aioredis
from pydantic import TypeAdapter
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from recommender.answers import reason_text
from recommender.models import DeletedEntity, Feedback
from recommender.store import ModelStore
from soundstream_common.redis import RedisHandle

REDIS_ERRORS = (redis.ConnectionError, redis.TimeoutError, OSError)
_DATETIME = TypeAdapter(datetime)


def exclusions_key(prefix: str) -> str:
    return f"{prefix}:exclusions"


def bump_exclusions(client: redis.Redis, prefix: str) -> None:
    """Tell every serving process that feedback or deletions changed (after the commit)."""
    client.incr(exclusions_key(prefix))


class HotPath:
    def __init__(
        self,
        redis_handle: RedisHandle | None,
        async_client: aioredis.Redis | None,
        prefix: str,
        sessions: sessionmaker[Session],
        *,
        max_users: int,
    ) -> None:
        self.redis = redis_handle
        self.async_client = async_client
        self.store = ModelStore(redis_handle.client, prefix) if redis_handle else None
        self.prefix = prefix
        self.sessions = sessions
        self.max_users = max_users
        self._lock = threading.Lock()
        self._version: str | None = None
        self._generated_at: str | None = None
        self._stamp: object = object()  # never equal to a stamp read from Redis
        self._entries: OrderedDict[int, tuple[Entry, ...] | None] = OrderedDict()
        self._deleted_artists: frozenset[int] = frozenset()
        self._deleted_users: frozenset[int] = frozenset()
        self._hidden: dict[int, frozenset[int]] = {}

    async def answer(
        self, user_id: int, k: int, exclude_listened: bool, explain: bool
    ) -> bytes | None:
        """The JSON body of the answer, or None when the general path must answer.

        The validating ``MGET`` is awaited; when everything needed is in memory the answer is
        built right here, otherwise the loading (Redis ``HGET``, database) runs in one
        thread-pool call."""
        if self.async_client is None or self.redis is None or not self.redis.available:
            return None
        assert self.store is not None
        try:
            pointer, stamp = await self.async_client.mget(
                self.store.pointer_key, exclusions_key(self.prefix)
            )
        except REDIS_ERRORS as exc:
            self.redis.mark_down(exc)
            self._stamp = object()
            return None
        if pointer is None:
            return None
        version = pointer.decode() if isinstance(pointer, bytes) else str(pointer)
        current = (
            version == self._version
            and stamp == self._stamp
            and user_id in self._entries
            and user_id in self._hidden
        )
        if current:
            entries = self._entries.get(user_id)
            return self._body(version, user_id, entries, k, exclude_listened, explain)
        return await run_in_threadpool(
            self._load_and_answer, version, stamp, user_id, k, exclude_listened, explain
        )

    def _load_and_answer(
        self,
        version: str,
        stamp: object,
        user_id: int,
        k: int,
        exclude_listened: bool,
        explain: bool,
    ) -> bytes | None:
        assert self.redis is not None
        try:
            self._refresh(version, stamp)
            entries = self._user_entries(version, user_id)
            self._hidden_of(user_id)
        except REDIS_ERRORS as exc:
            self.redis.mark_down(exc)
            self._stamp = object()
            return None
        return self._body(version, user_id, entries, k, exclude_listened, explain)

    def _body(
        self,
        version: str,
        user_id: int,
        entries: tuple[Entry, ...] | None,
        k: int,
        exclude_listened: bool,
        explain: bool,
    ) -> bytes | None:
        if user_id in self._deleted_users or not entries or not any(e[2] for e in entries):
            return None
        hidden = self._hidden.get(user_id, frozenset())
        items = self._items(entries, hidden, k, exclude_listened, explain)
        if len(items) < k:
            return None  # the popularity top-up is the general path's
        body = {
            "user_id": user_id,
            "source": "model",
            "model_version": version,
            "generated_at": self._generated_at,
            "items": items,
        }
        return json.dumps(body, separators=(",", ":")).encode()

    # -- loading ---------------------------------------------------------------------------
    def _refresh(self, version: str, stamp: object) -> None:
        assert self.store is not None
        with self._lock:
            if version != self._version:
                meta = self.store.get_json(version, "meta") or {}
                trained = meta.get("trained_at")
                self._generated_at = (
                    _DATETIME.dump_python(datetime.fromisoformat(trained), mode="json")
                    if trained
                    else None
                )
                self._entries.clear()
                self._version = version
            if stamp != self._stamp:
                self._load_deleted()
                self._hidden = {}
                self._stamp = stamp

    def _load_deleted(self) -> None:
        with self.sessions() as session:
            rows = session.execute(select(DeletedEntity.kind, DeletedEntity.entity_id)).all()
        self._deleted_artists = frozenset(int(i) for kind, i in rows if kind == "artist")
        self._deleted_users = frozenset(int(i) for kind, i in rows if kind == "user")

    def _hidden_of(self, user_id: int) -> frozenset[int]:
        hidden = self._hidden.get(user_id)
        if hidden is None:
            with self.sessions() as session:
                hidden = frozenset(
                    session.scalars(select(Feedback.artist_id).where(Feedback.user_id == user_id))
                )
            self._hidden[user_id] = hidden
        return hidden

    def _user_entries(self, version: str, user_id: int) -> tuple[Entry, ...] | None:
        assert self.store is not None
        with self._lock:
            if user_id in self._entries:
                self._entries.move_to_end(user_id)
                return self._entries[user_id]
        value = self.store.hget_json(version, "recs", user_id)
        entries = None if value is None else _compact(value["items"])
        with self._lock:
            if self.max_users and self._version == version:
                self._entries[user_id] = entries
                while len(self._entries) > self.max_users:
                    self._entries.popitem(last=False)
        return entries

    # -- the answer ------------------------------------------------------------------------
    def _items(
        self,
        entries: tuple[Entry, ...],
        hidden: frozenset[int],
        k: int,
        exclude_listened: bool,
        explain: bool,
    ) -> list[dict[str, Any]]:
        deleted = self._deleted_artists
        items: list[dict[str, Any]] = []
        for artist, score, listened, reasons in entries:
            if artist in hidden or artist in deleted or (listened and exclude_listened):
                continue
            items.append(
                {
                    "artist_id": artist,
                    "score": score,
                    "listened": listened,
                    "reasons": self._reasons(reasons) if explain else None,
                }
            )
            if len(items) == k:
                break
        return items

    def _reasons(self, raw: tuple[Reason, ...]) -> list[dict[str, Any]]:
        artists_gone, users_gone = self._deleted_artists, self._deleted_users
        reasons = []
        for kind, strength, cited_artists, cited_users, tags in raw:
            artists = [a for a in cited_artists if a not in artists_gone]
            users = [u for u in cited_users if u not in users_gone]
            if (cited_artists and not artists) or (cited_users and not users):
                continue
            cleaned = {
                "kind": kind,
                "strength": strength,
                "artists": artists,
                "users": users,
                "tags": list(tags),
            }
            reasons.append({**cleaned, "text": reason_text(cleaned)})
        return reasons


Reason = tuple[str, float, tuple[int, ...], tuple[int, ...], tuple[int, ...]]
Entry = tuple[int, float, bool, tuple[Reason, ...]]


def _compact(items: list[list[Any]]) -> tuple[Entry, ...]:
    """A user's precomputed entries as tuples of atoms: the garbage collector stops tracking
    them, so thousands of cached users add no pause to the process's collections."""
    return tuple(
        (
            artist,
            score,
            listened,
            tuple(
                (
                    r["kind"],
                    r["strength"],
                    tuple(r.get("artists", ())),
                    tuple(r.get("users", ())),
                    tuple(r.get("tags", ())),
                )
                for r in reasons
            ),
        )
        for artist, score, listened, reasons in items
    )
