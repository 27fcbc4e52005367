"""Sparse user x artist matrices, the id <-> row/column maps, and confidence weightings.

Models work on dense indexes (row ``u`` is a user, column ``i`` an artist); :class:`IdIndex`
translates between the services' ids and those indexes. :class:`Interactions` bundles the
play-count matrix with the side information some models read (friends, tags).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from recommender.algorithms.snapshot import IntArray, Snapshot

FloatMatrix = npt.NDArray[np.float32]


class IdIndex:
    """A sorted set of ids; position ``k`` in it is the dense index of ``ids[k]``."""

    def __init__(self, ids: npt.ArrayLike) -> None:
        self.ids: IntArray = np.unique(np.asarray(ids, dtype=np.int64))

    def __len__(self) -> int:
        return len(self.ids)

    def index_of(self, ids: npt.ArrayLike) -> IntArray:
        """Dense indexes of ``ids``; -1 where an id is unknown."""
        wanted = np.asarray(ids, dtype=np.int64).reshape(-1)
        if len(self.ids) == 0:
            return np.full(len(wanted), -1, dtype=np.int64)
        pos = np.searchsorted(self.ids, wanted).clip(max=len(self.ids) - 1)
        return np.where(self.ids[pos] == wanted, pos, -1).astype(np.int64)

    def id_of(self, indexes: npt.ArrayLike) -> IntArray:
        """Ids at the dense ``indexes``."""
        return self.ids[np.asarray(indexes, dtype=np.int64)]


def most_listened(
    artist_ids: npt.ArrayLike, ranked_by: npt.ArrayLike, max_artists: int | None
) -> IdIndex:
    """The artist index of a catalogue capped at ``max_artists``.

    Every artist of ``artist_ids`` when there are at most ``max_artists`` of them (or no
    cap); otherwise the ``max_artists`` with the most rows in ``ranked_by`` (the listens of
    the training data: one row per listener), ties to the lower id. Models train on and
    score only these columns, so a dense users x artists block stays bounded however long
    the tail of artists with one or two listeners grows.
    """
    everyone = IdIndex(artist_ids)
    if max_artists is None or len(everyone) <= max_artists:
        return everyone
    positions = everyone.index_of(ranked_by)
    listeners = np.bincount(positions[positions >= 0], minlength=len(everyone))
    ranked = np.argsort(-listeners, kind="stable")[:max_artists]
    return IdIndex(everyone.ids[ranked])


def coo_to_csr(
    rows: IntArray, cols: IntArray, values: npt.ArrayLike, shape: tuple[int, int]
) -> sp.csr_matrix:
    """A float32 CSR matrix; duplicate (row, col) pairs are summed, indices sorted."""
    keep = (rows >= 0) & (cols >= 0)
    data = np.broadcast_to(np.asarray(values, dtype=np.float32), rows.shape)[keep]
    matrix = sp.csr_matrix((data, (rows[keep], cols[keep])), shape=shape, dtype=np.float32)
    matrix.sum_duplicates()
    matrix.sort_indices()
    return matrix


@dataclass(frozen=True)
class SideInfo:
    """Side information aligned with an interaction matrix's user and item indexes.

    ``friends`` is users x users (1 where a friendship exists), ``user_tags`` users x tags
    and ``item_tags`` items x tags (counts of tag assignments), ``tag_ids`` the tag id of
    each tag column.
    """

    friends: sp.csr_matrix
    user_tags: sp.csr_matrix | None = None
    item_tags: sp.csr_matrix | None = None
    tag_ids: IntArray | None = None


@dataclass(frozen=True)
class Interactions:
    """The play-count matrix of a snapshot plus its id maps and side information."""

    users: IdIndex
    items: IdIndex
    plays: sp.csr_matrix
    side: SideInfo

    @property
    def shape(self) -> tuple[int, int]:
        return (len(self.users), len(self.items))


def build_interactions(
    snapshot: Snapshot, *, users: IdIndex | None = None, items: IdIndex | None = None
) -> Interactions:
    """Index every user and artist of the snapshot and build the sparse matrices.

    By default users are those with a listen or a friendship and artists those with a listen;
    pass ``users``/``items`` to reuse the indexes of a larger snapshot (the training part of a
    holdout split keeps the columns of the whole catalogue). Rows naming an id outside the
    indexes are dropped, as are tag assignments on artists nobody listens to.
    """
    listens, friends = snapshot.listens, snapshot.friendships
    if users is None:
        users = IdIndex(np.concatenate([listens.user_ids, friends.user_ids, friends.friend_ids]))
    if items is None:
        items = IdIndex(listens.artist_ids)
    n_users, n_items = len(users), len(items)
    plays = coo_to_csr(
        users.index_of(listens.user_ids),
        items.index_of(listens.artist_ids),
        listens.weights,
        (n_users, n_items),
    )
    friend_matrix = coo_to_csr(
        users.index_of(friends.user_ids), users.index_of(friends.friend_ids), 1.0, (n_users,) * 2
    )
    friend_matrix.data[:] = 1.0
    side = SideInfo(friends=friend_matrix)
    if snapshot.tags is not None and len(snapshot.tags):
        tags = snapshot.tags
        tag_index = IdIndex(tags.tag_ids)
        tag_cols = tag_index.index_of(tags.tag_ids)
        side = SideInfo(
            friends=friend_matrix,
            user_tags=coo_to_csr(
                users.index_of(tags.user_ids), tag_cols, 1.0, (n_users, len(tag_index))
            ),
            item_tags=coo_to_csr(
                items.index_of(tags.artist_ids), tag_cols, 1.0, (n_items, len(tag_index))
            ),
            tag_ids=tag_index.ids,
        )
    return Interactions(users=users, items=items, plays=plays, side=side)


class Weighting(StrEnum):
    """How raw play counts become the confidence values a model trains on."""

    BINARY = "binary"
    """1 for every listened artist."""
    LOG = "log"
    """``1 + log1p(plays / scale)`` (scale: the median play count), damping superstar counts."""
    RANK = "rank"
    """Per user, the percentile of the artist among the user's own artists, in (0, 1]."""
    BM25 = "bm25"
    """Okapi BM25 over the log weights: rare artists up, long user histories down."""
    TFIDF = "tfidf"
    """Log weights times the artist's inverse listener frequency."""


BM25_K1, BM25_B = 1.2, 0.75


@dataclass(frozen=True)
class WeightingStats:
    """What a weighting reads from the whole training matrix, so rows outside it (a user
    folded in at request time) are weighted exactly as the training rows were.

    ``scale``: the median play count (log, tf-idf, BM25); ``idf``: per artist (tf-idf, BM25);
    ``mean_row_length``: artists per user on average (BM25)."""

    weighting: Weighting
    scale: float = 1.0
    idf: npt.NDArray[np.float64] | None = None
    mean_row_length: float = 1.0

    @classmethod
    def of(cls, plays: sp.csr_matrix, weighting: Weighting | str) -> WeightingStats:
        weighting = Weighting(weighting)
        if plays.nnz == 0 or weighting in (Weighting.BINARY, Weighting.RANK):
            return cls(weighting)
        scale = float(np.median(plays.data.astype(np.float32))) or 1.0
        if weighting is Weighting.LOG:
            return cls(weighting, scale)
        listeners = np.bincount(plays.indices, minlength=plays.shape[1]).astype(np.float64)
        idf = np.log(plays.shape[0] / (1.0 + listeners)).clip(min=0.0) + 1.0
        row_len = np.diff(plays.indptr).astype(np.float64)
        return cls(weighting, scale, idf, max(float(row_len.mean()), 1e-9))

    def apply(self, plays: sp.csr_matrix) -> sp.csr_matrix:
        """A copy of ``plays`` (any rows, same columns) with the confidence values."""
        out = plays.astype(np.float32, copy=True)
        if out.nnz == 0:
            return out
        weighting = self.weighting
        if weighting is Weighting.BINARY:
            out.data[:] = 1.0
            return out
        if weighting is Weighting.RANK:
            out.data[:] = _row_percentiles(out)
            return out
        out.data = (1.0 + np.log1p(out.data / self.scale)).astype(np.float32)
        if weighting is Weighting.LOG:
            return out
        assert self.idf is not None
        if weighting is Weighting.TFIDF:
            out.data = (out.data * self.idf[out.indices]).astype(np.float32)
            return out
        row_len = np.diff(out.indptr).astype(np.float64)
        length_norm = (1.0 - BM25_B) + BM25_B * row_len / self.mean_row_length
        tf = out.data.astype(np.float64)
        norm_per_entry = np.repeat(length_norm, np.diff(out.indptr))
        bm25 = tf * (BM25_K1 + 1.0) / (tf + BM25_K1 * norm_per_entry) * self.idf[out.indices]
        out.data = bm25.astype(np.float32)
        return out


def apply_weighting(plays: sp.csr_matrix, weighting: Weighting | str) -> sp.csr_matrix:
    """A copy of ``plays`` with its stored values replaced by the chosen confidence values."""
    return WeightingStats.of(plays, weighting).apply(plays)


def _row_percentiles(matrix: sp.csr_matrix) -> npt.NDArray[np.float32]:
    """Per row, each stored value's rank among the row's values divided by the row length."""
    result = np.empty(matrix.nnz, dtype=np.float32)
    for row in range(matrix.shape[0]):
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        if start == end:
            continue
        values = matrix.data[start:end]
        ranks = np.argsort(np.argsort(values, kind="stable"), kind="stable") + 1
        result[start:end] = ranks / (end - start)
    return result
