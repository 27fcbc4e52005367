"""The analysts' statistics: SQL gathers the numbers, :mod:`listening.stats` does the maths."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Select, distinct, func, select
from sqlalchemy.orm import Session

from listening import stats
from listening.models import ArtistRef, Base, Friendship, Listen, User
from listening.schemas import (
    CorrelationRead,
    CorrelationValue,
    DegreeCount,
    HistogramBin,
    LorenzPoint,
    Overview,
    PercentileRanks,
    Quantile,
    SocialStats,
    TopArtist,
    TopArtistsBy,
    UserStats,
    WeightsStats,
)
from listening.services.dataset import current_version
from listening.services.users import require_user
from listening.stats import FloatArray, IntArray
from soundstream_common.exports import connection_cursor
from soundstream_common.pagination import PageParams

QUANTILE_PROBABILITIES = (0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1.0)


def _scalar(session: Session, query: Select[Any]) -> int:
    return int(session.execute(query).scalar_one())


def _rows_of(table: type[Base]) -> Select[Any]:
    return select(func.count()).select_from(table)


def overview(session: Session) -> Overview:
    friendship_rows = _scalar(session, _rows_of(Friendship))
    return Overview(
        users=_scalar(session, _rows_of(User)),
        listens=_scalar(session, _rows_of(Listen)),
        artists=_scalar(session, _rows_of(ArtistRef)),
        artists_with_listens=_scalar(session, select(func.count(distinct(Listen.artist_id)))),
        friendships=friendship_rows // 2,
        friendship_rows=friendship_rows,
        plays=_scalar(session, select(func.coalesce(func.sum(Listen.weight), 0))),
        dataset_version=current_version(session).version,
    )


@dataclass(frozen=True)
class ListenColumns:
    """Every listen as three aligned columns."""

    users: IntArray
    artists: IntArray
    weights: FloatArray


def listen_columns(session: Session) -> ListenColumns:
    """All listens in one table scan, straight from the driver's cursor into numpy."""
    connection = session.connection()
    sql = str(
        select(Listen.user_id, Listen.artist_id, Listen.weight).compile(dialect=connection.dialect)
    )
    cursor = connection_cursor(connection)
    try:
        cursor.execute(sql)
        rows = cursor.fetchall()
    finally:
        cursor.close()
    table = np.array(rows, dtype=np.int64).reshape(-1, 3)
    return ListenColumns(
        users=table[:, 0], artists=table[:, 1], weights=table[:, 2].astype(np.float64)
    )


def artist_totals(listens: ListenColumns) -> FloatArray:
    """Total plays of each artist with listens (in artist id order)."""
    _, index = np.unique(listens.artists, return_inverse=True)
    totals: FloatArray = np.bincount(index, weights=listens.weights).astype(np.float64)
    return totals


def weights_stats(session: Session, *, bins_per_decade: int, lorenz_points: int) -> WeightsStats:
    """Quantiles and log-binned histogram of the weights; concentration over artists."""
    listens = listen_columns(session)
    weights = listens.weights
    totals = artist_totals(listens)
    probabilities = QUANTILE_PROBABILITIES
    values = stats.quantiles(weights, probabilities) or []
    return WeightsStats(
        listens=int(weights.size),
        plays=int(weights.sum()),
        mean=float(weights.mean()) if weights.size else None,
        quantiles=[Quantile(p=p, value=v) for p, v in zip(probabilities, values, strict=False)],
        histogram=[
            HistogramBin(lower=b.lower, upper=b.upper, count=b.count)
            for b in stats.log_binned_histogram(weights, bins_per_decade)
        ],
        artists=int(totals.size),
        gini=stats.gini(totals),
        lorenz=[
            LorenzPoint(artists_share=x, plays_share=y)
            for x, y in stats.lorenz_curve(totals, lorenz_points)
        ],
        top_1_percent_share=stats.top_share(totals, 0.01),
        top_10_percent_share=stats.top_share(totals, 0.10),
    )


def top_artists(
    session: Session, *, by: TopArtistsBy, params: PageParams
) -> tuple[list[TopArtist], int]:
    """Artists ranked by plays (then listeners) or listeners (then plays), ties by id."""
    listeners = func.count().label("listeners")
    plays = func.sum(Listen.weight).label("plays")
    order = (plays.desc(), listeners.desc()) if by == "plays" else (listeners.desc(), plays.desc())
    rows = session.execute(
        select(Listen.artist_id, listeners, plays)
        .group_by(Listen.artist_id)
        .order_by(*order, Listen.artist_id)
        .limit(params.limit)
        .offset(params.offset)
    ).all()
    total = _scalar(session, select(func.count(distinct(Listen.artist_id))))
    items = [
        TopArtist(
            rank=params.offset + i + 1,
            artist_id=row.artist_id,
            listeners=int(row.listeners),
            plays=int(row.plays),
        )
        for i, row in enumerate(rows)
    ]
    return items, total


@dataclass(frozen=True)
class Profiles:
    """Per-user vectors over every user, aligned on ``ids`` (ascending)."""

    ids: IntArray
    plays: FloatArray
    artists: IntArray
    friends: IntArray
    entropy: FloatArray


def user_profiles(session: Session) -> Profiles:
    ids = np.asarray(session.scalars(select(User.id).order_by(User.id)).all(), dtype=np.int64)
    listens = listen_columns(session)
    weights = listens.weights
    index = np.searchsorted(ids, listens.users)
    friend_rows = session.execute(
        select(Friendship.user_id, func.count()).group_by(Friendship.user_id)
    ).all()
    friends = np.zeros(ids.size, dtype=np.int64)
    if friend_rows:
        friend_ids = np.asarray([u for u, _ in friend_rows], dtype=np.int64)
        friends[np.searchsorted(ids, friend_ids)] = [int(n) for _, n in friend_rows]
    return Profiles(
        ids=ids,
        plays=np.bincount(index, weights=weights, minlength=ids.size).astype(np.float64),
        artists=np.bincount(index, minlength=ids.size),
        friends=friends,
        entropy=stats.grouped_entropy(index, weights, ids.size),
    )


def _correlation(
    x_name: str, y_name: str, x: npt.NDArray[Any], y: npt.NDArray[Any]
) -> CorrelationRead:
    pearson, spearman = stats.pearson(x, y), stats.spearman(x, y)
    return CorrelationRead(
        x=x_name,
        y=y_name,
        n=int(x.size),
        pearson=CorrelationValue(coefficient=pearson.coefficient, p_value=pearson.p_value),
        spearman=CorrelationValue(coefficient=spearman.coefficient, p_value=spearman.p_value),
    )


def social_stats(session: Session) -> SocialStats:
    """Friend count against distinct artists and entropy, over every user."""
    p = user_profiles(session)
    has_users = p.ids.size > 0
    return SocialStats(
        users=int(p.ids.size),
        mean_friends=float(p.friends.mean()) if has_users else None,
        median_friends=float(np.median(p.friends)) if has_users else None,
        max_friends=int(p.friends.max()) if has_users else None,
        correlations=[
            _correlation("friends", "artists", p.friends, p.artists),
            _correlation("friends", "entropy", p.friends, p.entropy),
        ],
        degree_distribution=[
            DegreeCount(friends=value, users=count)
            for value, count in stats.frequency_table(p.friends)
        ],
    )


def user_stats(session: Session, *, user_id: int) -> UserStats:
    """One user's statistics and where they stand among all users."""
    require_user(session, user_id=user_id)
    weights = np.asarray(
        session.scalars(select(Listen.weight).where(Listen.user_id == user_id)).all(),
        dtype=np.float64,
    )
    p = user_profiles(session)
    position = int(np.searchsorted(p.ids, user_id))
    entropy = stats.shannon_entropy(weights)
    total = float(weights.sum())
    return UserStats(
        user_id=user_id,
        plays=int(total),
        artists=int(weights.size),
        entropy=entropy,
        normalised_entropy=stats.normalised_entropy(weights),
        gini=stats.gini(weights),
        top_artist_share=float(weights.max() / total) if total > 0 else None,
        friends=int(p.friends[position]),
        percentiles=PercentileRanks(
            plays=stats.percentile_rank(p.plays, total),
            artists=stats.percentile_rank(p.artists, weights.size),
            friends=stats.percentile_rank(p.friends, p.friends[position]),
            entropy=stats.percentile_rank(p.entropy, p.entropy[position]),
        ),
    )
