"""Assemble a synthetic data set and write its five files atomically."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np
import numpy.typing as npt

from soundstream_admin import datadir
from soundstream_admin.synthetic import calibration as cal
from soundstream_admin.synthetic import names, vocab
from soundstream_admin.synthetic.listening import listen
from soundstream_admin.synthetic.output import open_table, write_int_rows, write_text_rows
from soundstream_admin.synthetic.social import friendships
from soundstream_admin.synthetic.tag_vocabulary import vocabulary
from soundstream_admin.synthetic.tagging import Assignments, Tagging

Int64Array = npt.NDArray[np.int64]

DEFAULT_USERS = cal.REAL_USERS
BLOCK_USERS = 8192
"""Users whose tag assignments are generated and written together (bounds memory)."""
MS_PER_DAY = 86_400_000


def generate_dataset(
    out_dir: Path, *, users: int = DEFAULT_USERS, seed: int = 0, timestamps: bool = False
) -> Path:
    """Write a synthetic HetRec 2011 Last.fm data set for ``users`` users into ``out_dir``.

    The files have the real ones' names, headers and encodings, with the tag assignments in
    day/month/year form (``user_taggedartists.dat``) or, with ``timestamps``, in millisecond
    form (``user_taggedartists-timestamps.dat``). The same arguments give byte-identical
    files. ``out_dir`` is replaced only once every file is complete; it must be new, empty
    or hold a previous data set. Returns ``out_dir``.
    """
    if users < 2:
        raise ValueError("a data set needs at least 2 users")
    out_dir = Path(out_dir)
    rng = np.random.default_rng(seed)
    with datadir.staging_directory(out_dir) as staging:
        _generate(staging, rng, cal.Targets.for_users(users), timestamps)
        datadir.publish(staging, out_dir)
    return out_dir


def genre_count(users: int) -> int:
    """Fewer genres for small data sets, so every genre still has a choice of artists."""
    wanted = round(len(vocab.GENRES) * (users / cal.REAL_USERS) ** 0.5)
    return int(np.clip(wanted, 6, len(vocab.GENRES)))


def _generate(
    folder: Path, rng: np.random.Generator, targets: cal.Targets, timestamps: bool
) -> None:
    users = targets.users
    user_ids = cal.spread_ids(rng, users, cal.USER_ID_SPREAD, first=2)
    edges = friendships(rng, users, targets.friendships)
    degree = np.bincount(edges.ravel(), minlength=users).astype(np.int64)
    listening = listen(rng, users, targets.artists, genre_count(users), degree)
    artist_ids = _artist_ids(rng, listening.artist_genre.shape[0], targets.missing_artists)
    _write_artists(folder, rng, artist_ids[: listening.artist_genre.shape[0]])
    with open_table(folder / datadir.USER_ARTISTS, ["userID", "artistID", "weight"]) as out:
        columns = [user_ids[listening.user], artist_ids[listening.artist], listening.weight]
        write_int_rows(out, columns)
    _write_friends(folder, user_ids[edges])

    tags = vocabulary(rng, targets.tags, listening.genre_weights)
    tag_ids = cal.spread_ids(rng, len(tags.values), cal.TAG_ID_SPREAD)
    tag_ids = tag_ids[rng.permutation(tag_ids.shape[0])]
    with open_table(folder / datadir.TAGS, ["tagID", "tagValue"]) as out:
        rows = [(str(tag_ids[i]), tags.values[i]) for i in np.argsort(tag_ids)]
        write_text_rows(out, rows, "latin-1")

    tagging = Tagging.prepare(listening, tags, targets)
    if timestamps:
        name, header = datadir.USER_TAGGED_ARTISTS_TIMESTAMPS, ["timestamp"]
    else:
        name, header = datadir.USER_TAGGED_ARTISTS, ["day", "month", "year"]
    # One block is formatted and written while the next is drawn (numpy releases the GIL).
    with (
        open_table(folder / name, ["userID", "artistID", "tagID", *header]) as out,
        ThreadPoolExecutor(max_workers=1) as writer,
    ):
        pending: Future[None] | None = None
        for first in range(0, users, BLOCK_USERS):
            block = tagging.block(rng, first, min(users, first + BLOCK_USERS))
            ids = (user_ids[block.user], artist_ids[block.artist], tag_ids[block.tag])
            columns = _assignment_columns(block, *ids, timestamps)
            if pending is not None:
                pending.result()
            pending = writer.submit(write_int_rows, out, columns)
        if pending is not None:
            pending.result()


def _artist_ids(rng: np.random.Generator, artists: int, missing: int) -> Int64Array:
    """Ids of the artists (ascending, by first appearance) then of the missing artists.

    Both come from one id range with gaps, so missing artists' ids fall among the others.
    """
    slots = cal.spread_ids(rng, artists + missing, cal.ARTIST_ID_SPREAD)
    is_missing = np.zeros(slots.shape[0], dtype=bool)
    is_missing[rng.choice(slots.shape[0], size=missing, replace=False)] = True
    return np.concatenate([slots[~is_missing], slots[is_missing]])


def _write_artists(folder: Path, rng: np.random.Generator, artist_ids: Int64Array) -> None:
    artist_names, artist_urls = names.artists(rng, artist_ids.shape[0])
    pictures = names.picture_urls(rng, artist_ids.shape[0])
    ids = artist_ids.astype(str).tolist()
    with open_table(folder / datadir.ARTISTS, ["id", "name", "url", "pictureURL"]) as out:
        rows = list(zip(ids, artist_names, artist_urls, pictures, strict=True))
        write_text_rows(out, rows, "utf-8")


def _write_friends(folder: Path, pairs: Int64Array) -> None:
    """Both directions of every friendship, sorted by user then friend."""
    both = np.concatenate([pairs, pairs[:, ::-1]])
    both = both[np.lexsort((both[:, 1], both[:, 0]))]
    with open_table(folder / datadir.USER_FRIENDS, ["userID", "friendID"]) as out:
        write_int_rows(out, [both[:, 0], both[:, 1]])


def _assignment_columns(
    block: Assignments, user: Int64Array, artist: Int64Array, tag: Int64Array, timestamps: bool
) -> list[Int64Array]:
    """Output columns of a block of tag assignments, sorted by user, artist and tag."""
    spans = [int(ids.max(initial=0)) + 1 for ids in (user, artist, tag)]
    if spans[0] * spans[1] * spans[2] < 2**63:  # one int64 key sorts faster than three
        order = np.argsort((user * spans[1] + artist) * spans[2] + tag)
    else:
        order = np.lexsort((tag, artist, user))
    columns = [user[order], artist[order], tag[order]]
    day, month, year = block.day[order], block.month[order], block.year[order]
    if not timestamps:
        return [*columns, day, month, year]
    months = ((year - 1970) * 12 + month - 1).astype("datetime64[M]")
    days = months.astype("datetime64[D]").astype(np.int64) + day - 1
    return [*columns, days * MS_PER_DAY]
