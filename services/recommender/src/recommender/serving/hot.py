"""The hot read, ``GET /recommendations/users/{id}`` for a user the model knows, kept cheap.

In-process copies answer it: the version's metadata, users' precomputed entries as encoded
JSON fragments (at most ``serving_cache_users``, :mod:`recommender.serving.encoded`), the deleted
artists and users, and each user's hidden artists. One non-blocking Redis read (``MGET`` of
the current-version pointer, the exclusions stamp and the listens stamp,
:mod:`recommender.serving.keys_read`) validates
them, and the requests that begin in the same event-loop iteration share it
(:mod:`recommender.serving.coalesce`): each request's reply comes from a read sent after it began.
When everything is in memory the answer is built on the event loop; otherwise one thread-pool
call loads what is missing. Whoever changes an exclusion (feedback, a deletion event) commits
it to the database first and then sets the stamp (``<prefix>:exclusions``) to a fresh value,
so every process reloads its exclusions on its next request: hidden and deleted artists are
gone at once. The process that wrote feedback also drops its own copy at once, so it never
depends on the stamp for its own writes.

A user whose listens changed since the published model (:mod:`recommender.changes`: the set
is reloaded when the stamp read in the same ``MGET`` changes) takes the general path on every
request, which folds their current listens into the published models. Anything else — Redis
unavailable, no pointer (flushed), a user the model does not know or has no listens for —
takes the general path; its answers are reused for a while under the
same version and exclusions (:meth:`HotPath._general`).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import redis
import redis.asyncio as aioredis
from loguru import logger
from pydantic import TypeAdapter
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from recommender.cache import exclusions_key
from recommender.changes import changed_users, changes_stamp_key
from recommender.models import DeletedEntity, Feedback
from recommender.serving.coalesce import ReadCancelledError, SharedRead
from recommender.serving.encoded import Exclusions, UserRecs, answer_body, answer_head
from recommender.serving.keys_read import KeysRead
from recommender.serving.store import ModelStore
from soundstream_common.redis import RedisHandle

REDIS_ERRORS = (redis.ConnectionError, redis.TimeoutError, OSError)
_DATETIME = TypeAdapter(datetime)
_MISSING: Any = object()  # a user not loaded yet (None: not in the model)
General = Callable[[], Awaitable[bytes]]
"""The general path's answer (the thread-pool call every other case takes)."""


def _unknown() -> Exclusions:
    return Exclusions(stamp=object())  # equal to no stamp read from Redis


@dataclass(frozen=True, eq=False)
class ChangedUsers:
    """The users whose listens changed since the published model, as of one stamp."""

    stamp: object
    users: frozenset[int] = frozenset()


@dataclass(eq=False)
class ModelState:
    """One model version: the start of its answers and the users loaded so far."""

    version: str
    head: bytes
    users: OrderedDict[int, UserRecs | None] = field(default_factory=OrderedDict)


class HotPath:
    def __init__(
        self,
        redis_handle: RedisHandle | None,
        async_client: aioredis.Redis | None,
        prefix: str,
        sessions: sessionmaker[Session],
        *,
        max_users: int,
        general_seconds: float = 0,
    ) -> None:
        self.redis = redis_handle
        self.async_client = async_client
        self.store = ModelStore(redis_handle.client, prefix) if redis_handle else None
        self.prefix = prefix
        self.sessions = sessions
        self.max_users = max_users
        self.general_seconds = general_seconds
        keys = (
            self.store.pointer_key if self.store else "",
            exclusions_key(prefix),
            changes_stamp_key(prefix),
        )
        self._keys_read = KeysRead(async_client, keys) if async_client is not None else None
        self.validation = SharedRead(self._keys_read.read) if self._keys_read else None
        self._lock = threading.Lock()
        self._model: ModelState | None = None
        self._exclusions = _unknown()
        self._changed = ChangedUsers(stamp=object())

    def invalidate_exclusions(self) -> None:
        """Forget the exclusions held: the next request of this process reloads them."""
        self._exclusions = _unknown()

    async def aclose(self) -> None:
        """Close the validating read's connections (from the loop that used them)."""
        if self._keys_read is not None:
            await self._keys_read.aclose()

    async def answer(
        self,
        user_id: int,
        k: int,
        exclude_listened: bool,
        explain: bool,
        general: General,
    ) -> bytes:
        """The JSON body of the answer: from memory when it can be, else ``general()``'s.

        The validating read is awaited (shared with the requests that began alongside);
        when everything needed is in memory the answer is built right here, otherwise the
        loading (Redis ``HGET``, database) runs in one thread-pool call. An answer of the
        general path is reused for the same model version and exclusions (see
        :meth:`_general`)."""
        if self.validation is None or self.redis is None or not self.redis.available:
            return await general()
        try:
            pointer, stamp, changes = await self.validation.read()
            if self._changed.stamp != changes:
                await run_in_threadpool(self._changed_for, changes)
        except ReadCancelledError:
            return await general()
        except REDIS_ERRORS as exc:
            self.redis.mark_down(exc)
            self.invalidate_exclusions()
            return await general()
        if pointer is None or user_id in self._changed.users:
            return await general()  # a user whose listens changed: folded in, every time
        version = pointer.decode() if isinstance(pointer, bytes) else str(pointer)
        model, exclusions = self._model, self._exclusions
        recs: UserRecs | None = _MISSING
        hidden = None
        if model is not None and model.version == version and exclusions.stamp == stamp:
            recs = model.users.get(user_id, _MISSING)
            hidden = exclusions.hidden.get(user_id)
        if recs is _MISSING or hidden is None:
            loaded = await run_in_threadpool(self._load, version, stamp, user_id)
            if loaded is None:
                return await general()
            model, exclusions, recs, hidden = loaded
        assert model is not None
        body = _body(model, exclusions, user_id, recs, hidden, k, exclude_listened, explain)
        if body is not None:
            return body
        return await self._general(
            model, exclusions, (user_id, k, exclude_listened, explain), general
        )

    async def _general(
        self,
        model: ModelState,
        exclusions: Exclusions,
        request: tuple[int, int, bool, bool],
        general: General,
    ) -> bytes:
        """``general()``'s answer, reused for ``general_seconds`` while the model version and
        the exclusions stay the same (at most ``max_users`` answers are kept).

        The general path answers users the model has no listens for (friends, tags they use,
        popularity: read from the other services on every call, a thread-pool call of about
        10 ms) and tops up short lists with popular artists. Under load those calls compete
        with the event loop for the interpreter: a few such users slowed every answer.
        Feedback, deletions and a new version still change the answer at once (the answers
        are kept with the exclusions of one stamp, under the version); a friend's new listens
        show within ``general_seconds``."""
        if not self.general_seconds or not self.max_users:
            return await general()
        key = (model.version, *request)
        kept = exclusions.general.get(key)
        now = time.monotonic()
        if kept is not None and kept[0] > now:
            return kept[1]
        body = await general()
        exclusions.general[key] = (now + self.general_seconds, body)
        exclusions.general.move_to_end(key)
        while len(exclusions.general) > self.max_users:
            exclusions.general.popitem(last=False)
        return body

    # -- loading (thread pool) ---------------------------------------------------------------
    def _load(
        self, version: str, stamp: object, user_id: int
    ) -> tuple[ModelState, Exclusions, UserRecs | None, frozenset[int]] | None:
        """What the answer needs, loaded (``None``: Redis failed)."""
        assert self.redis is not None
        try:
            model = self._model_for(version)
            exclusions = self._exclusions_for(stamp)
            recs = self._user_recs(model, user_id)
            hidden = self._hidden_of(exclusions, user_id)
        except REDIS_ERRORS as exc:
            self.redis.mark_down(exc)
            self.invalidate_exclusions()
            return None
        return model, exclusions, recs, hidden

    def _changed_for(self, stamp: object) -> None:
        """Reload the users whose listens changed since the published model."""
        assert self.redis is not None
        users = frozenset(changed_users(self.redis.client, self.prefix))
        self._changed = ChangedUsers(stamp, users)

    def preload(self) -> int:
        """Load the current version's users (up to ``max_users``) with their hidden artists,
        so a process answers them from memory from its first requests (run in a thread of its
        own at start-up; requests meanwhile load what they lack as usual). Returns how many
        users it loaded; stops quietly when Redis or the database fails, or the version
        changes meanwhile."""
        if self.store is None or self.redis is None or not self.max_users:
            return 0
        loaded = 0
        try:
            # The stamp before the hidden artists: they are then no older than it.
            version = self.store.current_version()
            stamp = self.redis.client.get(exclusions_key(self.prefix))
            self._changed_for(self.redis.client.get(changes_stamp_key(self.prefix)))
            if version is None:
                return 0
            model = self._model_for(version)
            exclusions = self._exclusions_for(stamp)
            for chunk in self.store.scan_json(version, "recs"):
                users = list(chunk)[: self.max_users - loaded]
                hidden, disliking = self._hidden_of_many(users)
                with self._lock:
                    if self._model is not model:
                        break
                    exclusions.disliking.update(disliking)
                    for user in users:
                        if user not in model.users:
                            model.users[user] = UserRecs(chunk[user]["items"])
                        exclusions.hidden.setdefault(user, hidden.get(user, frozenset()))
                loaded += len(users)
                if loaded >= self.max_users:
                    break
        except Exception as exc:  # a warm-up only: requests load what they lack
            logger.warning("preloading recommendations stopped: {}", exc)
        else:
            logger.info("preloaded the recommendations of {} users", loaded)
        return loaded

    def _hidden_of_many(self, users: list[int]) -> tuple[dict[int, frozenset[int]], set[int]]:
        """The hidden (or disliked) artists of each of ``users`` that has any, and which of
        them dislike something, in one query."""
        found: dict[int, set[int]] = {}
        disliking: set[int] = set()
        with self.sessions() as session:
            rows = session.execute(
                select(Feedback.user_id, Feedback.artist_id, Feedback.kind).where(
                    Feedback.user_id.in_(users)
                )
            )
            for user, artist, kind in rows:
                found.setdefault(int(user), set()).add(int(artist))
                if kind == "dislike":
                    disliking.add(int(user))
        return {user: frozenset(artists) for user, artists in found.items()}, disliking

    def _model_for(self, version: str) -> ModelState:
        assert self.store is not None
        with self._lock:
            model = self._model
            if model is None or model.version != version:
                meta = self.store.get_json(version, "meta") or {}
                trained = meta.get("trained_at")
                generated_at = (
                    _DATETIME.dump_python(datetime.fromisoformat(trained), mode="json")
                    if trained
                    else None
                )
                model = self._model = ModelState(version, answer_head(version, generated_at))
            return model

    def _exclusions_for(self, stamp: object) -> Exclusions:
        """The exclusions as of ``stamp`` or later (reloaded, whole, when it changed)."""
        with self._lock:
            if self._exclusions.stamp != stamp:
                with self.sessions() as session:
                    rows = session.execute(
                        select(DeletedEntity.kind, DeletedEntity.entity_id)
                    ).all()
                self._exclusions = Exclusions(
                    stamp,
                    frozenset(int(i) for kind, i in rows if kind == "artist"),
                    frozenset(int(i) for kind, i in rows if kind == "user"),
                )
            return self._exclusions

    def _hidden_of(self, exclusions: Exclusions, user_id: int) -> frozenset[int]:
        """The user's hidden artists, read now and kept in ``exclusions`` (never in a newer
        snapshot: one loaded before a change must not be taken as current after it)."""
        hidden = exclusions.hidden.get(user_id)
        if hidden is None:
            found, disliking = self._hidden_of_many([user_id])
            hidden = found.get(user_id, frozenset())
            exclusions.disliking.update(disliking)  # before ``hidden`` marks the user loaded
            exclusions.hidden[user_id] = hidden
        return hidden

    def _user_recs(self, model: ModelState, user_id: int) -> UserRecs | None:
        assert self.store is not None
        with self._lock:
            if user_id in model.users:
                model.users.move_to_end(user_id)
                return model.users[user_id]
        value = self.store.hget_json(model.version, "recs", user_id)
        recs = None if value is None else UserRecs(value["items"])
        if self.max_users:
            with self._lock:
                model.users[user_id] = recs
                while len(model.users) > self.max_users:
                    model.users.popitem(last=False)
        return recs


def _body(
    model: ModelState,
    exclusions: Exclusions,
    user_id: int,
    recs: UserRecs | None,
    hidden: frozenset[int],
    k: int,
    exclude_listened: bool,
    explain: bool,
) -> bytes | None:
    if recs is None or not recs.any_listened or user_id in exclusions.deleted_users:
        return None
    if user_id in exclusions.disliking:
        return None  # neighbours of disliked artists are demoted: the general path's work
    kept = recs.chosen(k, hidden, exclusions.deleted_artists, exclude_listened)
    if len(kept) < k:
        return None  # the popularity top-up is the general path's
    if explain:
        fragments = [recs.explained(index, exclusions) for index in kept]
    else:
        plain = recs.plain
        fragments = [plain[index] for index in kept]
    return answer_body(user_id, model.head, fragments)
