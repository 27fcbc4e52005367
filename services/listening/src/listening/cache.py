"""Cache groups of the listening API and which kinds of change make them stale.

Cached: the user list and per-user summaries, statistics and artists (``users``), and each
statistics endpoint in its own group, so that, for example, a new friendship leaves the cached
weight distribution and top artists alone.
"""

from __future__ import annotations

USERS = "users"
OVERVIEW = "overview"
WEIGHTS = "weights"
TOP_ARTISTS = "top-artists"
SOCIAL = "social"

ALL_GROUPS = frozenset({USERS, OVERVIEW, WEIGHTS, TOP_ARTISTS, SOCIAL})
LISTENS_CHANGED = ALL_GROUPS
FRIENDSHIPS_CHANGED = frozenset({USERS, OVERVIEW, SOCIAL})
USERS_CHANGED = ALL_GROUPS
ARTIST_ADDED = frozenset({OVERVIEW})
