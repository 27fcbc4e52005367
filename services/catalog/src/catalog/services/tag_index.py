"""An in-memory index for the granular search: tag → artists with assignment counts.

The search's database query groups every assignment of the requested tags on each call; the
index holds those counts, grouped once into NumPy arrays, together with every artist's
popularity, the tag values and the artist names, so a search is a few dictionary lookups and
a handful of array operations (:mod:`catalog.services.tag_ranking`), without SQL.

It is only used while it is exactly what the database holds. On SQLite a dedicated
connection's ``PRAGMA data_version`` changes whenever any other connection, in this process
or another one (the event consumer), commits to the database: a search that sees it changed
answers from the database, and the index is rebuilt in the background from a read
transaction that started after the change. PostgreSQL (and in-memory SQLite) never use it;
``CATALOG_TAG_INDEX=off`` turns it off on SQLite too (every search then queries the database).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain
from urllib.parse import quote

import numpy as np
from loguru import logger
from sqlalchemy import Engine, func, select

from catalog.models import Artist, ArtistPopularity, Tag, TagAssignment
from catalog.schemas.search import MatchMode, SearchSort
from catalog.services import tag_ranking as ranking
from catalog.services.bounds import PopularityBounds
from catalog.services.tag_ranking import Floats, Ints, ScoredArtist, TagColumn
from soundstream_common.pagination import PageParams


@dataclass(frozen=True)
class TagArtistCounts:
    """One snapshot of what the search reads: assignments per (tag, artist), popularity,
    tag values and artist names.

    Artists are addressed by position in ``artist_ids`` (ascending), see
    :mod:`catalog.services.tag_ranking`.
    """

    by_tag: dict[int, TagColumn]
    artist_ids: Ints
    listeners: Ints
    """By artist position; 0 for an artist without popularity data (as the SQL counts it)."""
    plays: Ints
    log1p: Floats
    """``math.log(n + 1)`` up to the most assignments any artist has."""
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

    def names(self, artist_ids: list[int]) -> dict[int, tuple[str, bool]]:
        """Name and placeholder flag of each of the artists."""
        return {artist_id: self.artists[artist_id] for artist_id in artist_ids}

    def popularity_of(self, artist_id: int) -> tuple[int, int]:
        """(listeners, plays) of an artist as the search sees them."""
        position = int(np.searchsorted(self.artist_ids, artist_id))
        if position == len(self.artist_ids) or self.artist_ids[position] != artist_id:
            return (0, 0)
        return int(self.listeners[position]), int(self.plays[position])

    def ranked(
        self,
        tag_ids: Sequence[Sequence[int]],
        *,
        match: MatchMode,
        bounds: PopularityBounds,
        sort: SearchSort,
        page: PageParams,
    ) -> tuple[list[ScoredArtist], int]:
        """The same page and total as the search's SQL (same scores, order and ties)."""
        by_artist = ranking.counts_by_artist(
            [[self.by_tag[tag_id] for tag_id in ids if tag_id in self.by_tag] for ids in tag_ids],
            len(self.artist_ids),
        )
        positions = ranking.matching(by_artist, every=match is MatchMode.all)
        listeners, plays = self.listeners[positions], self.plays[positions]
        if not bounds.is_open():
            kept = bounds.mask(listeners, plays)
            positions, listeners, plays = positions[kept], listeners[kept], plays[kept]
        total = len(positions)
        if page.offset >= total:
            return [], total
        counts = by_artist[:, positions]
        relevance = ranking.relevance(counts, self.log1p)
        start, stop = page.offset, page.offset + page.limit
        if sort is SearchSort.relevance:
            rows = ranking.page_rows(-relevance, -listeners, start, stop)
        else:
            popularity = listeners if sort is SearchSort.listeners else plays
            rows = ranking.page_rows(-popularity, -relevance, start, stop)
        columns = (
            self.artist_ids[positions[rows]].tolist(),
            listeners[rows].tolist(),
            plays[rows].tolist(),
            relevance[rows].tolist(),
            counts[:, rows].T.tolist(),
        )
        hits = [
            ScoredArtist(artist_id, n_listeners, n_plays, score, tuple(per_tag))
            for artist_id, n_listeners, n_plays, score, per_tag in zip(*columns, strict=True)
        ]
        return hits, total


def _int_rows(rows: Iterable[Iterable[int]], width: int) -> Ints:
    """Integer rows as a (rows, width) array (also when there are none).

    Read value by value as the rows arrive: ``np.array`` over result rows probes each one
    for the array protocols, and holding every row object first doubles the read time."""
    return np.fromiter(chain.from_iterable(rows), np.int64).reshape(-1, width)


def _load(engine: Engine) -> TagArtistCounts:
    per_pair = (
        select(TagAssignment.tag_id, TagAssignment.artist_id, func.count())
        .group_by(TagAssignment.tag_id, TagAssignment.artist_id)
        .order_by(TagAssignment.tag_id, TagAssignment.artist_id)
    )
    popularity = select(
        ArtistPopularity.artist_id,
        func.coalesce(ArtistPopularity.listeners, 0),
        func.coalesce(ArtistPopularity.plays, 0),
    )
    tags: dict[str, tuple[int, str]] = {}
    folded: dict[str, list[tuple[int, str]]] = {}
    with engine.connect() as connection:
        pairs = _int_rows(connection.execute(per_pair), 3)
        known = _int_rows(connection.execute(popularity), 3)
        for tag_id, value in connection.execute(select(Tag.id, Tag.value).order_by(Tag.id)):
            tags[value] = (tag_id, value)
            folded.setdefault(value.lower(), []).append((tag_id, value))
        artists = {
            artist_id: (name, bool(placeholder))
            for artist_id, name, placeholder in connection.execute(
                select(Artist.id, Artist.name, Artist.is_placeholder)
            )
        }
    artist_ids = np.unique(
        np.concatenate([np.fromiter(artists, np.int64, len(artists)), known[:, 0], pairs[:, 1]])
    )
    listeners = np.zeros(len(artist_ids), np.int64)
    plays = np.zeros(len(artist_ids), np.int64)
    at = np.searchsorted(artist_ids, known[:, 0])
    listeners[at], plays[at] = known[:, 1], known[:, 2]
    positions = np.searchsorted(artist_ids, pairs[:, 1])
    counts = pairs[:, 2].astype(np.int32)
    tag_ids, starts = np.unique(pairs[:, 0], return_index=True)
    ends = [*starts[1:].tolist(), len(pairs)][: len(starts)]  # no tags, no ranges
    by_tag = {
        tag_id: TagColumn(positions[start:end], counts[start:end])
        for tag_id, start, end in zip(tag_ids.tolist(), starts.tolist(), ends, strict=True)
    }
    most = np.bincount(positions, weights=counts).max(initial=0)
    return TagArtistCounts(
        by_tag,
        artist_ids,
        listeners,
        plays,
        ranking.log1p_table(int(most)),
        tags,
        folded,
        artists,
    )


class TagIndex:
    """The current :class:`TagArtistCounts` of a SQLite catalog, rebuilt after changes."""

    def __init__(self, engine: Engine, *, wanted: bool = True) -> None:
        self.engine = engine
        database = engine.url.database
        self.enabled = (
            wanted and engine.dialect.name == "sqlite" and bool(database) and database != ":memory:"
        )
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
