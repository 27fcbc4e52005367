"""Where answers come from: the published version in Redis, else its artefact on disk.

Redis holds the serving copy (see :mod:`recommender.serving.store`). When Redis is down the current
version's artefact (``serving.pkl``, recorded in the database) is loaded once per process and
answers instead (slower to load, same content). When Redis answers but has no pointer (it was
flushed) the artefact is written back under its version and the pointer set again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from recommender.changes import is_changed
from recommender.models import ModelVersion
from recommender.serving.store import ModelStore
from recommender.training.compute import read_pickle
from soundstream_common.redis import RedisHandle


class ModelView(Protocol):
    """Read access to one published version."""

    version: str
    trained_at: datetime | None

    def recommendations(self, user_id: int) -> list[list[Any]] | None: ...

    def similar(self, kind: str, entity_id: int) -> list[list[float]] | None: ...

    def popular(self) -> list[list[float]]: ...


@dataclass
class RedisView:
    store: ModelStore
    version: str
    trained_at: datetime | None

    def recommendations(self, user_id: int) -> list[list[Any]] | None:
        value = self.store.hget_json(self.version, "recs", user_id)
        return None if value is None else list(value["items"])

    def similar(self, kind: str, entity_id: int) -> list[list[float]] | None:
        value = self.store.hget_json(self.version, kind, entity_id)
        return None if value is None else list(value)

    def popular(self) -> list[list[float]]:
        return list(self.store.get_json(self.version, "popular") or [])


@dataclass
class ArtefactView:
    serving: dict[str, Any]
    version: str
    trained_at: datetime | None

    def recommendations(self, user_id: int) -> list[list[Any]] | None:
        value = _decoded(self.serving["recommendations"].get(user_id))
        return None if value is None else list(value["items"])

    def similar(self, kind: str, entity_id: int) -> list[list[float]] | None:
        value = _decoded(self.serving[kind].get(entity_id))
        return None if value is None else list(value)

    def popular(self) -> list[list[float]]:
        return list(self.serving["popular"])


def _decoded(value: Any) -> Any:
    """An artefact's entry: JSON text (what the pipeline writes: one string per user or
    artist keeps a large model's artefact compact) or, in older artefacts, the object."""
    return json.loads(value) if isinstance(value, str) else value


@lru_cache(maxsize=1)
def load_artefact(path: str) -> dict[str, Any]:
    """The serving artefact of a version (kept for the current version only)."""
    serving: dict[str, Any] = read_pickle(Path(path) / "serving.pkl")
    return serving


class Serving:
    """Picks the view for a request: Redis when it answers, the artefact otherwise."""

    def __init__(self, redis_handle: RedisHandle | None, prefix: str) -> None:
        self.redis = redis_handle
        self.prefix = prefix

    def store(self) -> ModelStore | None:
        if self.redis is None or not self.redis.available:
            return None
        return ModelStore(self.redis.client, self.prefix)

    def changed(self, user_id: int) -> bool:
        """Whether the user's listens changed since the published model (false when Redis
        cannot say: the precomputed list answers)."""
        store = self.store()
        if store is None:
            return False
        try:
            return is_changed(store.client, self.prefix, user_id)
        except (redis.ConnectionError, redis.TimeoutError, OSError) as exc:
            if self.redis is not None:
                self.redis.mark_down(exc)
            return False

    def view(self, session: Session) -> ModelView | None:
        """The current version's view, or None when nothing is published."""
        store = self.store()
        if store is not None:
            try:
                version = store.current_version()
                if version is not None:
                    meta = store.get_json(version, "meta") or {}
                    trained = meta.get("trained_at")
                    return RedisView(
                        store, version, datetime.fromisoformat(trained) if trained else None
                    )
            except (redis.ConnectionError, redis.TimeoutError, OSError) as exc:
                if self.redis is not None:
                    self.redis.mark_down(exc)
                store = None
        current = session.scalars(select(ModelVersion).where(ModelVersion.current)).first()
        if current is None:
            return None
        serving = load_artefact(current.artifact_path)
        if store is not None:
            self._restore(store, current, serving)
        return ArtefactView(serving, current.version, current.trained_at)

    def _restore(self, store: ModelStore, current: ModelVersion, serving: dict[str, Any]) -> None:
        """Rebuild Redis's copy of the current version after a flush."""
        try:
            meta = {
                "version": current.version,
                "dataset_version": current.dataset_version,
                "trained_at": current.trained_at.isoformat(),
                "algorithm": current.algorithm,
            }
            store.write_version(current.version, serving, meta)
            store.client.set(store.pointer_key, current.version, nx=True)
        except (redis.ConnectionError, redis.TimeoutError, OSError) as exc:
            if self.redis is not None:
                self.redis.mark_down(exc)
