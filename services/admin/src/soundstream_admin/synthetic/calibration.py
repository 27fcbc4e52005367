"""Targets measured on the real HetRec 2011 Last.fm files, and the counts they imply.

Every count is given for the real data set's 1,892 users and scales linearly with the number
of users (tags scale sub-linearly: a larger community reuses more of its vocabulary).

With the default size and seed 0 the generator gives (real data in brackets): 17,669
artists (17,632), 92,661 listens (92,834), 185,844 tag assignments (186,479), 25,456
friendship rows (25,434); top 1% of artists hold 50% of plays (52%) and 31% of listens
(32%), 59% of artists have one listener (61%); friend counts median 7, 99th percentile 88
(6, 80); 76% of tags used (82%), 48% used once (45%), top 1% of tags make 62% of
assignments (64%); 0.8% of assignments name missing artists (0.8%); per user, a median
69% of tagged artists are ones they listen to (67%).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

REAL_USERS = 1892
REAL_ARTISTS = 17632
REAL_TAGS = 11946
REAL_TAG_ASSIGNMENTS = 186479
REAL_FRIENDSHIPS = 12717
REAL_MISSING_ARTISTS = 390
"""Artists named by tag assignments but absent from artists.dat."""
MISSING_ARTIST_ROW_SHARE = 1538 / REAL_TAG_ASSIGNMENTS
IMPOSSIBLE_DATE_ROW_SHARE = 5 / REAL_TAG_ASSIGNMENTS
IMPOSSIBLE_YEARS = (1956, 1957, 1979)

LISTENS_PER_USER = 50
"""Each user lists their 50 most played artists..."""
SHORT_LIST_SHARE = 63 / REAL_USERS
"""...except about 3% of users, who have fewer."""
MAX_WEIGHT = 352_698
LOG_WEIGHT_MEAN = 5.47
LOG_WEIGHT_SD = 1.53

TAG_ROWS_PER_USER_MEDIAN = 20.0
TAG_ROWS_PER_USER_MEAN = REAL_TAG_ASSIGNMENTS / REAL_USERS
TAGS_PER_PAIR_MEAN = REAL_TAG_ASSIGNMENTS / 71064
"""Tag assignments per tagged (user, artist) pair."""
MAX_TAGS_PER_PAIR = 50

USER_ID_SPREAD = 2099 / REAL_USERS
"""User ids run from 2 to 2100: about 11% of the id range is unused."""
ARTIST_ID_SPREAD = 18745 / (REAL_ARTISTS + REAL_MISSING_ARTISTS)
TAG_ID_SPREAD = 12648 / REAL_TAGS
TAG_SCALE_EXPONENT = 0.75

FIRST_YEAR = 2005
LAST_YEAR = 2011
LAST_MONTH_OF_LAST_YEAR = 5
TAGS_PER_YEAR = {2005: 2483, 2006: 9814, 2007: 20415, 2008: 40273, 2009: 43366, 2010: 54998}
TAGS_IN_LAST_YEAR = 15125


@dataclass(frozen=True)
class Targets:
    """Row counts aimed at for one generated data set."""

    users: int
    artists: int
    missing_artists: int
    tags: int
    tag_assignments: int
    friendships: int

    @classmethod
    def for_users(cls, users: int) -> Targets:
        """Scale the real data set's counts to ``users`` users."""
        scale = users / REAL_USERS
        return cls(
            users=users,
            artists=max(20, round(REAL_ARTISTS * scale)),
            missing_artists=max(1, round(REAL_MISSING_ARTISTS * scale)),
            tags=max(60, round(REAL_TAGS * scale**TAG_SCALE_EXPONENT)),
            tag_assignments=max(1, round(REAL_TAG_ASSIGNMENTS * scale)),
            friendships=round(REAL_FRIENDSHIPS * scale),
        )


def month_weights() -> npt.NDArray[np.float64]:
    """Relative tagging activity for each month from January 2005 to May 2011 (growth curve)."""
    weights = [TAGS_PER_YEAR[year] / 12 for year in sorted(TAGS_PER_YEAR) for _ in range(12)]
    weights += [TAGS_IN_LAST_YEAR / LAST_MONTH_OF_LAST_YEAR] * LAST_MONTH_OF_LAST_YEAR
    return np.asarray(weights, dtype=np.float64)


def group_rank(groups: npt.NDArray[np.integer]) -> npt.NDArray[np.int64]:
    """Position of each element within its run of equal values (``groups`` must be sorted)."""
    n = groups.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    run_lengths = np.diff(np.r_[starts, n])
    return np.arange(n, dtype=np.int64) - np.repeat(starts, run_lengths)


def spread_ids(
    rng: np.random.Generator, count: int, spread: float, first: int = 1
) -> npt.NDArray[np.int64]:
    """``count`` sorted, distinct ids drawn from a range ``spread`` times larger (gaps included)."""
    span = max(count, int(np.ceil(count * spread)))
    chosen = rng.choice(span, size=count, replace=False)
    return np.sort(chosen).astype(np.int64) + first


def search(
    cumulative: npt.NDArray[np.float64], values: npt.NDArray[np.float64]
) -> npt.NDArray[np.int64]:
    """``np.searchsorted(cumulative, values, "right")``, quicker for many values.

    The values are looked up in ascending order, so the search walks ``cumulative`` once
    instead of jumping around it (a large array does not fit in the CPU caches).
    """
    order = np.argsort(values)
    found = np.empty(values.shape[0], dtype=np.int64)
    found[order] = np.searchsorted(cumulative, values[order], side="right")
    return found
