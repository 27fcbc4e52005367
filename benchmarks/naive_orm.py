"""The naive baseline: one ORM object per row, ``session.add``, a commit every 1,000 rows.

This is how a first import script is usually written; the benchmarks time it beside the real
importer on the same files. Usage: ``python -m benchmarks.naive_orm CATALOG_URL LISTENING_URL DIR``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from catalog.db import MIGRATIONS as CATALOG_MIGRATIONS
from catalog.models import Artist, ArtistPopularity, Tag, TagAssignment, UserRef
from listening.db import MIGRATIONS as LISTENING_MIGRATIONS
from listening.models import ArtistRef, Friendship, Listen, User
from soundstream_common.db import create_db_engine

BATCH = 1000


def rows(path: Path, encoding: str = "utf-8") -> Iterator[list[str]]:
    """The fields of every data line of a tab-separated file with a header."""
    with path.open(encoding=encoding, newline="") as handle:
        next(handle)
        for line in handle:
            line = line.rstrip("\r\n")
            if line:
                yield line.split("\t")


class Writer:
    """A session that commits after every ``BATCH`` added objects."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.pending = 0

    def add(self, obj: object) -> None:
        self.session.add(obj)
        self.pending += 1
        if self.pending >= BATCH:
            self.session.commit()
            self.pending = 0


def timestamp_ms(day: int, month: int, year: int) -> int:
    """Midnight UTC of the date in milliseconds, 0 when it is not a calendar date."""
    try:
        return int(datetime(year, month, day, tzinfo=UTC).timestamp() * 1000)
    except ValueError:
        return 0


def main(catalog_url: str, listening_url: str, data: Path) -> None:
    """Migrate both databases and load the five files object by object."""
    engines = [create_db_engine(catalog_url), create_db_engine(listening_url)]
    CATALOG_MIGRATIONS.upgrade(engines[0])
    LISTENING_MIGRATIONS.upgrade(engines[1])
    with Session(engines[0]) as cs, Session(engines[1]) as ls:
        cat, lis = Writer(cs), Writer(ls)
        artists: set[int] = set()
        users: set[int] = set()

        def user(uid: int) -> None:
            if uid not in users:
                users.add(uid)
                cat.add(UserRef(id=uid))
                lis.add(User(id=uid))
                cs.flush()
                ls.flush()

        def artist(
            aid: int, name: str, url: str | None, picture: str | None, placeholder: bool
        ) -> None:
            artists.add(aid)
            cat.add(
                Artist(
                    id=aid,
                    name=name,
                    url=url,
                    picture_url=picture,
                    search_name=name.casefold(),
                    is_placeholder=placeholder,
                )
            )
            lis.add(ArtistRef(id=aid))
            cs.flush()
            ls.flush()

        for aid, name, url, picture in rows(data / "artists.dat"):
            artist(int(aid), name, url or None, picture or None, False)
        tags: set[int] = set()
        for tid, value in rows(data / "tags.dat", "latin-1"):
            tags.add(int(tid))
            cat.add(Tag(id=int(tid), value=value))
        popularity: dict[int, tuple[int, int]] = {}
        for uid, aid, weight in rows(data / "user_artists.dat"):
            user(int(uid))
            if int(aid) not in artists:
                artist(int(aid), f"Unknown artist #{aid}", None, None, True)
            lis.add(Listen(user_id=int(uid), artist_id=int(aid), weight=int(weight)))
            listeners, plays = popularity.get(int(aid), (0, 0))
            popularity[int(aid)] = (listeners + 1, plays + int(weight))
        cs.flush()
        for uid, aid, tid, day, month, year in rows(data / "user_taggedartists.dat"):
            user(int(uid))
            if int(aid) not in artists:
                artist(int(aid), f"Unknown artist #{aid}", None, None, True)
            d, m, y = int(day), int(month), int(year)
            ts = timestamp_ms(d, m, y)
            cat.add(
                TagAssignment(
                    user_id=int(uid),
                    artist_id=int(aid),
                    tag_id=int(tid),
                    timestamp_ms=ts,
                    day=d,
                    month=m,
                    year=y,
                    date_valid=ts != 0 and 2002 <= y <= 2011,
                )
            )
        for uid, fid in rows(data / "user_friends.dat"):
            user(int(uid))
            user(int(fid))
            lis.add(Friendship(user_id=int(uid), friend_id=int(fid)))
        for known in sorted(artists):
            listeners, plays = popularity.get(known, (0, 0))
            cat.add(ArtistPopularity(artist_id=known, listeners=listeners, plays=plays))
        cs.commit()
        ls.commit()
    for engine in engines:
        engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], Path(sys.argv[3]))
