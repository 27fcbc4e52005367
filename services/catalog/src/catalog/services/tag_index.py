"""An in-memory index for the granular search: tag → artists with assignment counts.

The search's database query groups every assignment of the requested tags on each call; the
index holds those counts, grouped once, together with every artist's popularity, the tag
values and the artist names, so a search is a few dictionary lookups, a set intersection
(or union) and a top-k, without SQL.

It is only used while it is exactly what the database holds. On SQLite a dedicated
connection's ``PRAGMA data_version`` changes whenever any other connection, in this process
or another one (the event consumer), commits to the database: a search that sees it changed
answers from the database, and the index is rebuilt in the background from a read
transaction that started after the change. PostgreSQL (and in-memory SQLite) never use it.
"""

from __future__ import annotations

import heapq
import math
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from loguru import logger
from sqlalchemy import Engine, func, select

from catalog.models import Artist, ArtistPopularity, Tag, TagAssignment
from catalog.schemas.search import MatchMode, SearchSort
from soundstream_common.pagination import PageParams


@dataclass(frozen=True, slots=True)
class IndexedHit:
    artist_id: int
    listeners: int
    plays: int
    relevance: float
    counts: tuple[int, ...]


@dataclass(frozen=True)
class TagArtistCounts:
    """One snapshot of what the search reads: assignments per (tag, artist), popularity,
    tag values and artist names."""

    by_tag: dict[int, dict[int, int]]
    popularity: dict[int, tuple[int, int]]
    tags: dict[str, tuple[int, str]]
    """Tag value → (id, value)."""
    tags_folded: dict[str, list[tuple[int, str]]]
    """Lower-cased value → the tags having it, by id."""
    artists: dict[int, tuple[str, bool]]
    """Artist id → (name, is_placeholder)."""

    def find_tags(self, values: Sequence[str]) -> dict[str, list[tuple[int, str]]]:
        """As :func:`catalog.services.tags.find_by_values`: the tags named by ``values``
        (distinct regardless of case) keyed by the lower-cased value; exact matches first,
        the case-insensitive match only for values without one."""
        found: dict[str, list[tuple[int, str]]] = {}
        for value in values:
            tag = self.tags.get(value)
            if tag is not None:
                found.setdefault(value.lower(), []).append(tag)
        for folded in {value.lower() for value in values} - found.keys():
            if folded in self.tags_folded:
                found[folded] = list(self.tags_folded[folded])
        return found

    def ranked(
        self,
        tag_ids: Sequence[Sequence[int]],
        *,
        match: MatchMode,
        admits: Callable[[int, int], bool] | None,
        sort: SearchSort,
        page: PageParams,
    ) -> tuple[list[IndexedHit], int]:
        """The same page and total as the search's SQL (same scores, order and ties).

        ``admits`` filters on (listeners, plays); ``None`` admits every artist.
        """
        groups = [self._merged(ids) for ids in tag_ids]
        if match is MatchMode.all:
            by_size = sorted(groups, key=lambda group: len(group))
            candidates = set(by_size[0])
            for group in by_size[1:]:
                candidates &= group.keys()
        else:
            candidates = set[int]().union(*groups)
        popularity = self.popularity.get
        log = math.log
        # Plain tuples whose natural order is the requested order (the artist id, unique,
        # settles every tie before the trailing fields are compared).
        rows: list[tuple[float, float, int, int, list[int]]] = []
        for artist_id in candidates:
            listeners, plays = popularity(artist_id, _NO_POPULARITY)
            if admits is not None and not admits(listeners, plays):
                continue
            counts = [group.get(artist_id, 0) for group in groups]
            relevance = 0.0
            for count in counts:
                relevance += log(count + 1)
            if sort is SearchSort.relevance:
                rows.append((-relevance, -listeners, artist_id, plays, counts))
            elif sort is SearchSort.listeners:
                rows.append((-listeners, -relevance, artist_id, plays, counts))
            else:
                rows.append((-plays, -relevance, artist_id, listeners, counts))
        top = heapq.nsmallest(page.offset + page.limit, rows)[page.offset :]
        return [_hit(row, sort) for row in top], len(rows)

    def _merged(self, ids: Sequence[int]) -> dict[int, int]:
        if len(ids) == 1:
            return self.by_tag.get(ids[0], {})
        merged: dict[int, int] = {}
        for tag_id in ids:
            for artist_id, count in self.by_tag.get(tag_id, {}).items():
                merged[artist_id] = merged.get(artist_id, 0) + count
        return merged


_NO_POPULARITY = (0, 0)


def _hit(row: tuple[float, float, int, int, list[int]], sort: SearchSort) -> IndexedHit:
    first, second, artist_id, other, counts = row
    if sort is SearchSort.relevance:
        return IndexedHit(artist_id, int(-second), other, -first, tuple(counts))
    if sort is SearchSort.listeners:
        return IndexedHit(artist_id, int(-first), other, -second, tuple(counts))
    return IndexedHit(artist_id, other, int(-first), -second, tuple(counts))


def _load(engine: Engine) -> TagArtistCounts:
    by_tag: dict[int, dict[int, int]] = {}
    per_pair = select(TagAssignment.tag_id, TagAssignment.artist_id, func.count()).group_by(
        TagAssignment.tag_id, TagAssignment.artist_id
    )
    popularity = select(
        ArtistPopularity.artist_id, ArtistPopularity.listeners, ArtistPopularity.plays
    )
    tags: dict[str, tuple[int, str]] = {}
    folded: dict[str, list[tuple[int, str]]] = {}
    with engine.connect() as connection:
        for tag_id, artist_id, count in connection.execute(per_pair):
            by_tag.setdefault(tag_id, {})[artist_id] = count
        known = {
            artist_id: (int(listeners or 0), int(plays or 0))
            for artist_id, listeners, plays in connection.execute(popularity)
        }
        for tag_id, value in connection.execute(select(Tag.id, Tag.value).order_by(Tag.id)):
            tags[value] = (tag_id, value)
            folded.setdefault(value.lower(), []).append((tag_id, value))
        artists = {
            artist_id: (name, bool(placeholder))
            for artist_id, name, placeholder in connection.execute(
                select(Artist.id, Artist.name, Artist.is_placeholder)
            )
        }
    return TagArtistCounts(by_tag, known, tags, folded, artists)


class TagIndex:
    """The current :class:`TagArtistCounts` of a SQLite catalog, rebuilt after changes."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        database = engine.url.database
        self.enabled = engine.dialect.name == "sqlite" and bool(database) and database != ":memory:"
        self._watch: sqlite3.Connection | None = None
        self._watched_file: tuple[int, int] | None = None
        self._lock = threading.Lock()
        self._snapshot: tuple[tuple[int, int, int], TagArtistCounts] | None = None
        self._building = False

    def _data_version(self) -> tuple[int, int, int]:
        """The database file's identity and the watcher's ``data_version`` (reopened when
        the file was replaced, so a restored backup is never answered from the old index)."""
        path = str(self.engine.url.database)
        stat = os.stat(path)
        identity = (stat.st_dev, stat.st_ino)
        with self._lock:
            if self._watch is None or self._watched_file != identity:
                if self._watch is not None:
                    self._watch.close()
                # Read-only: never creates a missing database file.
                self._watch = sqlite3.connect(
                    f"file:{quote(path)}?mode=ro", uri=True, check_same_thread=False
                )
                self._watched_file = identity
            version = int(self._watch.execute("PRAGMA data_version").fetchone()[0])
        return (*identity, version)

    def current(self) -> TagArtistCounts | None:
        """The snapshot when it matches the database, else ``None`` (a rebuild is started)."""
        if not self.enabled:
            return None
        try:
            version = self._data_version()
        except (OSError, sqlite3.Error):
            return None
        snapshot = self._snapshot
        if snapshot is not None and snapshot[0] == version:
            return snapshot[1]
        self._start_build()
        return None

    def _start_build(self) -> None:
        with self._lock:
            if self._building:
                return
            self._building = True
        threading.Thread(target=self._build, name="tag-index", daemon=True).start()

    def _build(self) -> None:
        try:
            # Read before the snapshot's transaction: a commit in between makes the snapshot
            # newer than its version, so it is rebuilt once more (never served stale).
            version = self._data_version()
            started = time.perf_counter()
            self._snapshot = (version, _load(self.engine))
            logger.info("tag index rebuilt in {:.2f} s", time.perf_counter() - started)
        except Exception as exc:
            logger.warning("tag index rebuild failed: {}", exc)
        finally:
            with self._lock:
                self._building = False

    def close(self) -> None:
        with self._lock:
            if self._watch is not None:
                self._watch.close()
                self._watch = None
