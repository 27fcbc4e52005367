"""The range of the ids every service shares.

Users, artists and tags are named by the same ids in every service's database (32-bit
integer columns), in every event and in every URL. An id outside ``1..MAX_ID`` names nothing
anywhere: it is invalid input (422), never a lookup.
"""

from __future__ import annotations

MAX_ID = 2**31 - 1
"""Largest id of a user, an artist or a tag."""
