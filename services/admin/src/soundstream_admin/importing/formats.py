"""The HetRec 2011 Last.fm files: names, columns, encodings and official checksums.

Every file is tab-separated with one header line. There is no quoting: artist names contain
double quotes, so a line is split on tabs and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FileFormat:
    """One input file: its name, the columns of its header and its text encoding."""

    name: str
    columns: tuple[str, ...]
    encoding: str = "utf-8"

    @property
    def width(self) -> int:
        return len(self.columns)


ARTISTS = FileFormat("artists.dat", ("id", "name", "url", "pictureURL"))
TAGS = FileFormat("tags.dat", ("tagID", "tagValue"), encoding="latin-1")
LISTENS = FileFormat("user_artists.dat", ("userID", "artistID", "weight"))
ASSIGNMENTS_DATES = FileFormat(
    "user_taggedartists.dat", ("userID", "artistID", "tagID", "day", "month", "year")
)
ASSIGNMENTS_TIMESTAMPS = FileFormat(
    "user_taggedartists-timestamps.dat", ("userID", "artistID", "tagID", "timestamp")
)
FRIENDS = FileFormat("user_friends.dat", ("userID", "friendID"))

# The official release (hetrec2011-lastfm-2k.zip, version 1.0, May 2011): SHA-256 and size of
# the five files the product ships with. The size is checked first so that large generated
# files are not hashed for nothing.
OFFICIAL_FILES: dict[str, tuple[str, int]] = {
    ARTISTS.name: ("c173881362c6b28551368fecb3c0be5a6a30a6cd859e1f5775413dfe46d48648", 1925879),
    TAGS.name: ("c815d7216101fd0ba9b9c59fa2a011998d2fd076e0064d281ec4153d95ae8095", 222521),
    LISTENS.name: ("254272fa721c3935e8be286d28c051b206844307128698ab4eaa41d483379416", 1203620),
    FRIENDS.name: ("0360883a3557776e04fdebda851f2e5dd23e796cad7059b968acdebd528d13fa", 226130),
    ASSIGNMENTS_DATES.name: (
        "c4a9ffae9ab47a9f9b2f0678ab1f7e5c1db4ca818837d8cddd1f5699c5bbf048",
        4180216,
    ),
}

# Ids are positive and must fit the services' 32-bit integer keys (MAX_ID); weights are 64-bit.
MAX_WEIGHT = 2**63 - 1
# tags.value is VARCHAR(255).
MAX_TAG_LENGTH = 255
