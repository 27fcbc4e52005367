"""What the contract tests read from the real HetRec data, and names for what they create.

Tests that write create their own artists, tags, users and keys and remove them again; the
real data they read (user 2, artist 51, the tag "rock") comes from the data set itself.
"""

from __future__ import annotations

import secrets

USER = 2  # in the data: listens to artist 51, friend of 275, tagged artist 52 with tag 13
ARTIST = 51
ROCK = "rock"


def unique(prefix: str) -> str:
    return f"{prefix} {secrets.token_hex(4)}"
