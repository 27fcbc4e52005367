"""What serving reads, computed once per published model (the ``serving.pkl`` artefact).

Per user the top-N artists with reasons, per artist and per user their nearest neighbours,
and the popularity list. Each user's and each entity's value is kept as the JSON text Redis
stores (:func:`recommender.serving.store.encode`): on 100k users that is one string each instead of
millions of small lists, so the artefact stays compact in memory, pickles quickly and is
published without encoding it again.

Both cores stay busy: helper threads score the next blocks of users (numpy and scipy, which
release the GIL) while the calling thread assembles each user's list and reasons (Python),
and one more thread finds every user's nearest users (all pairs of ALS factors) meanwhile.
BLAS runs single-threaded throughout, so the threads do not fight over its own.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import islice
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from recommender.algorithms.als import ALS
from recommender.algorithms.base import Recommender, block_rows, top_k
from recommender.algorithms.explain import Explainer, Reason
from recommender.algorithms.matrix import FloatMatrix, Interactions
from recommender.algorithms.snapshot import IntArray
from recommender.serving.store import encode

NO_REASONS: list[dict[str, Any]] = []
"""The (shared, never modified) reasons of an entry that is not explained."""

SCORING_THREADS = 2
"""Blocks of users scored at once, ahead of the thread that assembles the lists."""


def precompute(
    final: dict[str, Recommender],
    published: Recommender,
    full: Interactions,
    *,
    top_n: int,
    similar_n: int,
    explain_top: int,
    seconds: dict[str, float],
) -> dict[str, Any]:
    """Per user: top-N artists (listened ones flagged, N unlistened guaranteed), reasons for
    the first ``explain_top``; per artist and per user: nearest neighbours; popularity.
    ``seconds`` receives the time of each part."""
    clock = time.perf_counter()
    waited: list[float] = []
    with (
        threadpool_limits(1, user_api="blas"),
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="similar-users") as background,
        ThreadPoolExecutor(max_workers=SCORING_THREADS, thread_name_prefix="scores") as pool,
    ):
        user_model = final.get("als") or final.get("social")
        similar_users = background.submit(_timed, _similar_users, user_model, full, similar_n)
        recommendations = _recommendations(pool, published, full, top_n, explain_top, waited)
        seconds["top_n"] = time.perf_counter() - clock
        seconds["top_n_waiting_for_scores"] = sum(waited)
        clock = time.perf_counter()
        similar_artists = _similar_artists(final.get("item_knn"), full, similar_n)
        seconds["similar_artists"] = time.perf_counter() - clock
        clock = time.perf_counter()
        users_similar, seconds["similar_users"] = similar_users.result()
        seconds["similar_users_wait"] = time.perf_counter() - clock
    return {
        "recommendations": recommendations,
        "similar_artists": similar_artists,
        "similar_users": users_similar,
        "popular": _popular(final.get("popularity"), full, top_n),
        "n_users": len(full.users),
        "n_artists": len(full.items),
    }


def _timed(
    function: Callable[[Recommender | None, Interactions, int], dict[int, str]],
    *args: Any,
) -> tuple[dict[int, str], float]:
    """``function(*args)`` and the seconds it took (in its own thread)."""
    clock = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - clock


def _recommendations(
    pool: ThreadPoolExecutor,
    published: Recommender,
    full: Interactions,
    top_n: int,
    explain_top: int,
    waited: list[float],
) -> dict[int, str]:
    """Each user's top-N list with reasons, as the JSON text of ``{"items": [...]}``;
    ``waited`` receives the time spent waiting for each block's scores."""
    plays = full.plays
    item_ids: list[int] = full.items.ids.tolist()
    user_ids: list[int] = full.users.ids.tolist()
    width = top_n + int(np.diff(plays.indptr).max(initial=0))
    explainer = Explainer(plays, full.side)
    recommendations: dict[int, str] = {}
    for start, scores, best in _scored_blocks(pool, published, len(user_ids), width, waited):
        for offset, row in enumerate(best):
            user = start + offset
            own = set(plays.indices[plays.indptr[user] : plays.indptr[user + 1]].tolist())
            shown = row[row >= 0]
            items = shown.tolist()
            # The first ``explain_top`` artists the user does not listen to carry reasons.
            explained = [item for item in items if item not in own][:explain_top]
            reasons = {
                item: [_reason(r, user_ids, item_ids) for r in found]
                for item, found in zip(
                    explained, explainer.explain_many(user, explained), strict=True
                )
            }
            entries = [
                [item_ids[item], score, item in own, reasons.get(item, NO_REASONS)]
                for item, score in zip(items, scores[offset, shown].tolist(), strict=True)
            ]
            recommendations[user_ids[user]] = encode({"items": entries})
    return recommendations


def _scored_blocks(
    pool: ThreadPoolExecutor, model: Recommender, n_users: int, width: int, waited: list[float]
) -> Iterator[tuple[int, FloatMatrix, IntArray]]:
    """``(first user, scores, top width items)`` per block of users; the following blocks
    are scored in ``pool`` (one per thread) while the caller works on the current one.
    ``waited`` receives the time the caller was blocked on each block."""
    rows = block_rows(model.n_items)

    def score(start: int) -> tuple[FloatMatrix, IntArray]:
        users = np.arange(start, min(start + rows, n_users), dtype=np.int64)
        scores = model.score(users)
        return scores, top_k(scores, width)

    starts = iter(range(0, n_users, rows))
    pending: deque[tuple[int, Future[tuple[FloatMatrix, IntArray]]]] = deque()
    for start in islice(starts, SCORING_THREADS):
        pending.append((start, pool.submit(score, start)))
    while pending:
        start, future = pending.popleft()
        clock = time.perf_counter()
        scores, best = future.result()
        waited.append(time.perf_counter() - clock)
        following = next(starts, None)
        if following is not None:
            pending.append((following, pool.submit(score, following)))
        yield start, scores, best


def _similar_artists(knn: Recommender | None, full: Interactions, similar_n: int) -> dict[int, str]:
    """Each artist's nearest artists (item-kNN similarity) as JSON ``[[id, score], ...]``."""
    similar: dict[int, str] = {}
    if knn is None or not hasattr(knn, "similar_items"):
        return similar
    item_ids: list[int] = full.items.ids.tolist()
    for item, item_id in enumerate(item_ids):
        idx, scores = knn.similar_items(item, similar_n)
        similar[item_id] = _pairs(item_ids, idx, scores)
    return similar


def _similar_users(model: Recommender | None, full: Interactions, similar_n: int) -> dict[int, str]:
    """Each user's nearest users as JSON ``[[id, score], ...]``: from the ALS factors all
    users at once, in blocks (per-user calls would each cost a pass over every user), else
    per user (the social model's friends)."""
    similar: dict[int, str] = {}
    if model is None:
        return similar
    user_ids: list[int] = full.users.ids.tolist()
    if isinstance(model, ALS):
        indexes, scores = model.all_similar_users(similar_n)
        for user, user_id in enumerate(user_ids):
            found = indexes[user] >= 0
            similar[user_id] = _pairs(user_ids, indexes[user][found], scores[user][found])
        return similar
    if hasattr(model, "similar_users"):
        for user, user_id in enumerate(user_ids):
            idx, values = model.similar_users(user, similar_n)
            similar[user_id] = _pairs(user_ids, idx, values)
    return similar


def _popular(model: Recommender | None, full: Interactions, top_n: int) -> list[list[float]]:
    """The most listened artists and their listener counts."""
    if model is None or not hasattr(model, "top"):
        return []
    idx, listeners = model.top(top_n)
    ids = full.items.ids
    return [[int(ids[i]), float(s)] for i, s in zip(idx, listeners, strict=True)]


def _pairs(ids: list[int], indexes: IntArray, scores: FloatMatrix) -> str:
    """``[[id, score], ...]`` as JSON text."""
    return encode([[ids[i], s] for i, s in zip(indexes.tolist(), scores.tolist(), strict=True)])


def _reason(reason: Reason, user_ids: list[int], item_ids: list[int]) -> dict[str, Any]:
    """A reason with dense indexes mapped back to artist and user ids."""
    return {
        "kind": str(reason.kind),
        "strength": round(float(reason.strength), 4),
        "artists": [item_ids[a] for a in reason.artists],
        "users": [user_ids[u] for u in reason.users],
        "tags": [int(t) for t in reason.tags],
    }
