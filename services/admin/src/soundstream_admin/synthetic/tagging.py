"""Tag vocabulary and tag assignments: who tagged which artist with what, and when.

Tags live in pools, one of general tags and one per genre, each ranked by use (Zipf). A tag
assignment mostly takes its tag from the artist's genre pool, otherwise from the general
pool or from the tagger's own main genre, so tags co-occur by genre. Users tag mostly
artists they listen to, in a few sessions each; sessions follow the service's growth from
2005 to 2011. Like the real data, a small share of assignments name artists that are
missing from artists.dat, and a handful carry impossible years.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import numpy.typing as npt

from soundstream_admin.synthetic import calibration as cal
from soundstream_admin.synthetic.listening import Listening
from soundstream_admin.synthetic.tag_vocabulary import Vocabulary

Int64Array = npt.NDArray[np.int64]

TAG_SOURCE_SHARES = (0.70, 0.15, 0.15)
"""Where an assignment's shared tag comes from: the artist's genre pool, the general pool,
or the tagger's main genre pool."""
PERSONAL_TAGS_USED = 0.42
"""Personal tags handed out, as a share of the vocabulary (45% of real tags are used once)."""
LISTENED_PAIR_SHARE = 0.7
"""Share of a user's tagged artists chosen among the artists they listen to."""
TAGS_PER_PAIR_LOG_MEAN = 0.156
TAGS_PER_PAIR_LOG_SD = 1.09
ROWS_PER_USER_LOG_SD = 1.786
MAX_ROWS_PER_USER = 3000
ROWS_CORRECTION = 1.035
"""Allowance for the rows lost to repeated tags within a pair."""
SESSIONS_PER_LOG_PAIR = 1.0
"""A user tags in 1 + Poisson(this x log(1 + pairs)) sessions."""
OTHER_DAY_SHARE = 0.02
"""Most real dates fall on the first of the month; the rest spread over the month."""


def _log_mean_for(mean: float) -> float:
    """Log-mean of a log-normal capped at MAX_ROWS_PER_USER whose mean is ``mean``."""
    sd, log_cap = ROWS_PER_USER_LOG_SD, math.log(MAX_ROWS_PER_USER)

    def capped_mean(mu: float) -> float:
        below = NormalDist().cdf((log_cap - mu - sd**2) / sd)
        above = 1.0 - NormalDist().cdf((log_cap - mu) / sd)
        return math.exp(mu + sd**2 / 2) * below + MAX_ROWS_PER_USER * above

    low, high = -5.0, log_cap
    for _ in range(60):
        middle = (low + high) / 2
        low, high = (middle, high) if capped_mean(middle) < mean else (low, middle)
    return (low + high) / 2


def _first_pairs(
    user: Int64Array, artist: Int64Array, artists: int
) -> tuple[Int64Array, Int64Array]:
    """Drop repeated (user, artist) pairs, keeping each first one; grouped by user, in order."""
    _, first = np.unique(user * artists + artist, return_index=True)
    first.sort()
    order = np.argsort(user[first], kind="stable")
    return user[first][order], artist[first][order]


def _first_tags(pair: Int64Array, tag: Int64Array, tags: int) -> tuple[Int64Array, Int64Array]:
    """Drop repeated tags within a pair, keeping first ones; ``pair`` stays sorted."""
    _, first = np.unique(pair * tags + tag, return_index=True)
    first.sort()
    return pair[first], tag[first]


@dataclass(frozen=True)
class Assignments:
    """One block of tag assignments; artists >= ``Listening`` artist count are missing ones."""

    user: Int64Array
    artist: Int64Array
    tag: Int64Array
    year: Int64Array
    month: Int64Array
    day: Int64Array


@dataclass(frozen=True)
class Tagging:
    """Everything shared by the blocks of one data set's tag assignments."""

    listening: Listening
    vocabulary: Vocabulary
    missing_artists: int
    rows_log_mean: float
    personal_share: float
    """Chance that an assignment uses the next personal tag instead of a shared one."""
    artist_cumulative: npt.NDArray[np.float64]
    month_cumulative: npt.NDArray[np.float64]
    listen_start: Int64Array
    """Offset of each user's first listen (listens are sorted by user); one extra end entry."""

    @classmethod
    def prepare(
        cls,
        listening: Listening,
        vocabulary: Vocabulary,
        targets: cal.Targets,
    ) -> Tagging:
        users = targets.users
        listeners = np.bincount(listening.artist, minlength=listening.artist_genre.shape[0])
        return cls(
            listening=listening,
            vocabulary=vocabulary,
            missing_artists=targets.missing_artists,
            personal_share=min(
                0.5, PERSONAL_TAGS_USED * len(vocabulary.values) / max(1, targets.tag_assignments)
            ),
            rows_log_mean=_log_mean_for(cal.TAG_ROWS_PER_USER_MEAN * ROWS_CORRECTION),
            artist_cumulative=np.cumsum(listeners.astype(np.float64)),
            month_cumulative=np.cumsum(cal.month_weights()),
            listen_start=np.searchsorted(listening.user, np.arange(users + 1)).astype(np.int64),
        )

    def block(self, rng: np.random.Generator, first_user: int, last_user: int) -> Assignments:
        """The tag assignments of users ``first_user`` .. ``last_user - 1``."""
        users = np.arange(first_user, last_user, dtype=np.int64)
        pair_user, pair_artist = self._pairs(rng, users)
        pair_month, pair_day = self._dates(rng, users, pair_user)
        per_pair = np.minimum(
            np.ceil(
                np.exp(rng.normal(TAGS_PER_PAIR_LOG_MEAN, TAGS_PER_PAIR_LOG_SD, pair_user.shape[0]))
            ),
            cal.MAX_TAGS_PER_PAIR,
        ).astype(np.int64)
        per_pair = np.maximum(per_pair, 1)
        row_pair, row_tag = self._tags(rng, pair_user, pair_artist, per_pair)
        month = pair_month[row_pair]
        year = cal.FIRST_YEAR + month // 12
        day = pair_day[row_pair]
        # A handful of impossible years; the first block always has one, however small.
        rows = row_pair.shape[0]
        bad = max(
            int(first_user == 0 and rows > 0),
            int(rng.binomial(rows, cal.IMPOSSIBLE_DATE_ROW_SHARE)),
        )
        year[rng.choice(rows, size=bad, replace=False)] = rng.choice(cal.IMPOSSIBLE_YEARS, size=bad)
        return Assignments(
            user=pair_user[row_pair],
            artist=pair_artist[row_pair],
            tag=row_tag,
            year=year,
            month=month % 12 + 1,
            day=day,
        )

    def _pairs(self, rng: np.random.Generator, users: Int64Array) -> tuple[Int64Array, Int64Array]:
        """Distinct (user, artist) pairs each user tags, listened artists first."""
        n_artists = self.listening.artist_genre.shape[0]
        rows = np.minimum(
            np.exp(rng.normal(self.rows_log_mean, ROWS_PER_USER_LOG_SD, users.shape[0])),
            MAX_ROWS_PER_USER,
        )
        # Rescale to the expected total: one heavy tagger more or less must not swing it.
        expected = cal.TAG_ROWS_PER_USER_MEAN * ROWS_CORRECTION * users.shape[0]
        rows = np.minimum(rows * (expected / rows.sum()), MAX_ROWS_PER_USER)
        mean_per_pair = float(np.exp(TAGS_PER_PAIR_LOG_MEAN + TAGS_PER_PAIR_LOG_SD**2 / 2) + 0.5)
        wanted = np.maximum(1, np.rint(rows / mean_per_pair)).astype(np.int64)
        # Listened artists, most played first in a random draw, up to the user's listened share.
        start, end = self.listen_start[users[0]], self.listen_start[users[-1] + 1]
        l_user = self.listening.user[start:end]
        l_artist = self.listening.artist[start:end]
        weight = self.listening.weight[start:end].astype(np.float64)
        draw_key = np.log(1.0 - rng.random(l_user.shape[0])) / weight
        shuffled = np.lexsort((-draw_key, l_user))
        l_user, l_artist = l_user[shuffled], l_artist[shuffled]
        listened_wanted = rng.binomial(wanted, LISTENED_PAIR_SHARE)
        take = cal.group_rank(l_user) < listened_wanted[l_user - users[0]]
        # Other artists, popular ones more often; extra draws make up for repeats.
        other_count = wanted + wanted // 8 + 1
        o_user = np.repeat(users, other_count)
        o_artist = cal.search(
            self.artist_cumulative, rng.random(o_user.shape[0]) * self.artist_cumulative[-1]
        )
        user = np.concatenate([l_user[take], o_user])
        artist = np.concatenate([l_artist[take], o_artist])
        user, artist = _first_pairs(user, artist, n_artists)
        keep = cal.group_rank(user) < wanted[user - users[0]]
        user, artist = user[keep], artist[keep]
        # Some pairs name artists missing from artists.dat, each missing artist several times.
        missing = rng.random(user.shape[0]) < cal.MISSING_ARTIST_ROW_SHARE
        artist[missing] = n_artists + rng.integers(0, self.missing_artists, int(missing.sum()))
        return _first_pairs(user, artist, n_artists + self.missing_artists)

    def _dates(
        self, rng: np.random.Generator, users: Int64Array, pair_user: Int64Array
    ) -> tuple[Int64Array, Int64Array]:
        """Month index (0 = January 2005) and day of each pair: a few sessions per user."""
        pairs = np.bincount(pair_user - users[0], minlength=users.shape[0])
        sessions = 1 + rng.poisson(SESSIONS_PER_LOG_PAIR * np.log1p(pairs))
        cumulative = self.month_cumulative
        total = int(sessions.sum())
        month = np.searchsorted(cumulative, rng.random(total) * cumulative[-1], "right")
        month = np.minimum(month, cumulative.shape[0] - 1).astype(np.int64)
        day = np.where(rng.random(total) < OTHER_DAY_SHARE, rng.integers(2, 29, total), 1)
        first_session = np.r_[0, np.cumsum(sessions)[:-1]]
        local = pair_user - users[0]
        chosen = first_session[local] + (rng.random(local.shape[0]) * sessions[local]).astype(
            np.int64
        )
        return month[chosen], day[chosen].astype(np.int64)

    def _tags(
        self,
        rng: np.random.Generator,
        pair_user: Int64Array,
        pair_artist: Int64Array,
        per_pair: Int64Array,
    ) -> tuple[Int64Array, Int64Array]:
        """Distinct tags for each pair: ``per_pair`` of them, from the genre-driven pools."""
        n_artists = self.listening.artist_genre.shape[0]
        genres = self.listening.genre_weights.shape[0]
        pair_genre = np.where(
            pair_artist < n_artists,
            self.listening.artist_genre[np.minimum(pair_artist, n_artists - 1)],
            pair_artist % genres,
        )
        candidates = per_pair + per_pair // 2 + 2
        c_pair = np.repeat(np.arange(pair_user.shape[0], dtype=np.int64), candidates)
        source = rng.choice(len(TAG_SOURCE_SHARES), size=c_pair.shape[0], p=TAG_SOURCE_SHARES)
        main_genre = self.listening.user_genres[pair_user[c_pair], 0]
        pool = np.where(
            source == 0, pair_genre[c_pair] + 1, np.where(source == 1, 0, main_genre + 1)
        )
        tag = self.vocabulary.draw(rng, pool.astype(np.int64))
        c_pair, tag = _first_tags(c_pair, tag, len(self.vocabulary.values))
        keep = cal.group_rank(c_pair) < per_pair[c_pair]
        c_pair, tag = c_pair[keep], tag[keep]
        personal = rng.random(int(tag.shape[0])) < self.personal_share
        tag[personal] = self.vocabulary.next_personal(int(personal.sum()))
        return _first_tags(c_pair, tag, len(self.vocabulary.values))
