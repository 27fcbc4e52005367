"""Who listens to what, and how much: genres, Zipf artist popularity, heavy-tailed weights.

Artists come from a pool ranked by popularity (Zipf) and each belongs to one genre. A user
has a main and a second genre and draws most artists from them, in proportion to
popularity, the rest from all artists; better connected users draw more widely (the
social graph and listening diversity are linked). Only pool artists somebody listens to
become artists of the data set.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from soundstream_admin.synthetic import calibration as cal

ZIPF_EXPONENT = 1.1
ZIPF_OFFSET = 20.0
ZIPF_OFFSET_GROWTH = 0.5
"""The offset grows with the square root of the size: a fixed offset would hand ever more of
the plays to the top 1% as the data set grows, a proportional one would keep the shape but
let superstars fade. At 50 times the real size the top 1% of artists hold about 73% of the
plays (52% in the real data) and the top artist reaches about 5% of users (32% real)."""
HEAD_POOL_PER_ARTIST = 0.4
"""Artists drawn by popularity, per wanted artist."""
TAIL_POOL_PER_ARTIST = 3.0
"""Obscure artists (zero popularity, only drawn as niche picks), per wanted artist."""
GENRE_EXPONENT = 0.6
DRAWS_PER_USER = 72
"""Draws per user before removing repeats; enough to reach 50 distinct artists."""
GLOBAL_SHARE = (0.15, 0.40)
"""Share of a user's draws taken from all artists, for the least and the best connected."""
NICHE_SHARE = 0.11
"""Share of draws taken uniformly among the obscure artists of the user's main genre."""
MAIN_GENRE_SHARE = 0.65
"""Of the genre draws, the share from the user's main genre."""
USER_EFFECT_SD = 0.85
POPULARITY_EFFECT = 0.45
NOISE_SD = 1.05

Int64Array = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Listening:
    """The listening side of a data set; artist values are indexes into ``artist_genre``."""

    genre_weights: npt.NDArray[np.float64]
    artist_genre: Int64Array
    user_genres: Int64Array
    """(users, 2): main and second genre of each user."""
    user: Int64Array
    artist: Int64Array
    weight: Int64Array
    """Listens sorted by user, then by weight, heaviest first."""


def genre_weights(genres: int) -> npt.NDArray[np.float64]:
    """Relative size of each genre (the first genres are the largest)."""
    weights: npt.NDArray[np.float64] = np.arange(1, genres + 1, dtype=np.float64) ** -GENRE_EXPONENT
    return weights / float(weights.sum())


def listen(
    rng: np.random.Generator,
    users: int,
    wanted_artists: int,
    genres: int,
    degree: Int64Array,
) -> Listening:
    """Draw every user's artists and play counts; artists are renumbered 0..n-1 by first use."""
    weights = genre_weights(genres)
    head = max(20, int(wanted_artists * HEAD_POOL_PER_ARTIST))
    pool = head + max(20, int(wanted_artists * TAIL_POOL_PER_ARTIST))
    pool_genre = rng.choice(genres, size=pool, p=weights)
    user_genres = np.column_stack(
        [rng.choice(genres, size=users, p=weights), rng.choice(genres, size=users, p=weights)]
    )
    connectedness = np.argsort(np.argsort(degree, kind="stable"), kind="stable") / max(1, users - 1)
    global_share = GLOBAL_SHARE[0] + (GLOBAL_SHARE[1] - GLOBAL_SHARE[0]) * connectedness
    offset = ZIPF_OFFSET * (users / cal.REAL_USERS) ** ZIPF_OFFSET_GROWTH
    popularity = (np.arange(head, dtype=np.float64) + offset) ** -ZIPF_EXPONENT

    # Each draw comes from a group: 0 = any popular artist, 1 + g = a popular artist of
    # genre g, 1 + genres + g = an obscure artist of genre g (the user's main genre).
    draw_user = np.repeat(np.arange(users, dtype=np.int64), DRAWS_PER_USER)
    u = rng.random(draw_user.shape[0])
    share = global_share[draw_user]
    main = user_genres[draw_user, 0]
    genre = np.where(u < share + (1 - share) * MAIN_GENRE_SHARE, main, user_genres[draw_user, 1])
    group = np.where(u < share, 0, 1 + genre)
    niche = rng.random(draw_user.shape[0]) < NICHE_SHARE
    group[niche] = 1 + genres + main[niche]
    del u, share, main, genre, niche
    drawn = _draw_from_groups(rng, group, pool_genre, head, popularity, genres)
    del group

    # First occurrence of each (user, artist), in draw order, up to the user's list length.
    _, first = np.unique(draw_user * pool + drawn, return_index=True)
    first.sort()
    user, artist = draw_user[first], drawn[first]
    del draw_user, drawn, first
    wanted = np.full(users, cal.LISTENS_PER_USER, dtype=np.int64)
    short = rng.random(users) < cal.SHORT_LIST_SHARE
    wanted[short] = rng.integers(1, cal.LISTENS_PER_USER, size=int(short.sum()))
    keep = cal.group_rank(user) < wanted[user]
    user, artist = user[keep], artist[keep]

    weight = _weights(rng, user, artist, users, pool)
    order_out = np.argsort(user * (cal.MAX_WEIGHT + 1) + (cal.MAX_WEIGHT - weight), kind="stable")
    user, artist, weight = user[order_out], artist[order_out], weight[order_out]
    # Renumber the artists somebody listens to, by first appearance in the file.
    used, first_seen, dense = np.unique(artist, return_index=True, return_inverse=True)
    by_appearance = np.argsort(first_seen, kind="stable")
    new_index = np.empty_like(by_appearance)
    new_index[by_appearance] = np.arange(by_appearance.shape[0])
    return Listening(
        genre_weights=weights,
        artist_genre=pool_genre[used[by_appearance]].astype(np.int64),
        user_genres=user_genres.astype(np.int64),
        user=user,
        artist=new_index[dense].astype(np.int64),
        weight=weight,
    )


def _draw_from_groups(
    rng: np.random.Generator,
    group: Int64Array,
    pool_genre: Int64Array,
    head: int,
    popularity: npt.NDArray[np.float64],
    genres: int,
) -> Int64Array:
    """A pool artist for each draw; groups are handled one at a time on small arrays."""
    by_genre_head = np.argsort(pool_genre[:head], kind="stable")
    head_bounds = np.searchsorted(pool_genre[:head][by_genre_head], np.arange(genres + 1))
    by_genre_tail = head + np.argsort(pool_genre[head:], kind="stable")
    tail_bounds = np.searchsorted(pool_genre[by_genre_tail], np.arange(genres + 1))
    order = np.argsort(group, kind="stable")
    bounds = np.searchsorted(group[order], np.arange(2 * genres + 2))
    drawn = np.empty(group.shape[0], dtype=np.int64)
    everyone = np.arange(head, dtype=np.int64)
    for g in range(2 * genres + 1):
        draws = order[bounds[g] : bounds[g + 1]]
        r = rng.random(draws.shape[0])
        if g > genres:
            members = by_genre_tail[tail_bounds[g - genres - 1] : tail_bounds[g - genres]]
            uniform = True
        else:
            members = everyone if g == 0 else by_genre_head[head_bounds[g - 1] : head_bounds[g]]
            uniform = False
        if members.shape[0] == 0:
            members, uniform = everyone, False
        if uniform:
            drawn[draws] = members[(r * members.shape[0]).astype(np.int64)]
        else:
            cumulative = np.cumsum(popularity[members])
            found = cal.search(cumulative, r * cumulative[-1])
            drawn[draws] = members[np.minimum(found, members.shape[0] - 1)]
    return drawn


def _weights(
    rng: np.random.Generator, user: Int64Array, artist: Int64Array, users: int, pool: int
) -> Int64Array:
    """Log-normal play counts: user activity x artist popularity x noise, 1..MAX_WEIGHT."""
    listeners = np.bincount(artist, minlength=pool).astype(np.float64)
    log_listeners = np.log(listeners[artist])
    popularity = (log_listeners - log_listeners.mean()) / max(log_listeners.std(), 1e-9)
    log_weight = (
        rng.normal(0.0, USER_EFFECT_SD, size=users)[user]
        + POPULARITY_EFFECT * popularity
        + rng.normal(0.0, NOISE_SD, size=user.shape[0])
    )
    log_weight = cal.LOG_WEIGHT_MEAN + (log_weight - log_weight.mean()) * (
        cal.LOG_WEIGHT_SD / max(log_weight.std(), 1e-9)
    )
    weight: Int64Array = np.clip(np.rint(np.exp(log_weight)), 1, cal.MAX_WEIGHT).astype(np.int64)
    return weight
