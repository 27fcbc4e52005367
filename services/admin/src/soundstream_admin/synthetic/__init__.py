"""Synthetic HetRec 2011 Last.fm data sets of any size, shaped like the real files.

``generate_dataset`` writes artists.dat, tags.dat, user_artists.dat, user_friends.dat and
the tag assignments with the skew and the quirks of the real data (see ``calibration``).
"""

from soundstream_admin.synthetic.generator import DEFAULT_USERS, generate_dataset

__all__ = ["DEFAULT_USERS", "generate_dataset"]
