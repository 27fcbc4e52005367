"""Load a :class:`~recommender.algorithms.snapshot.Snapshot` from the HetRec 2011 Last.fm files.

Only the integer columns are read (ids, play counts), so the files' text encodings do not
matter here. The production pipeline builds the same snapshot from the services' exports.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import numpy.typing as npt

from recommender.algorithms.snapshot import Friendships, Listens, Snapshot, TagAssignments

LISTENS_FILE = "user_artists.dat"
FRIENDS_FILE = "user_friends.dat"
TAGS_FILE = "user_taggedartists.dat"


def default_data_dir() -> Path:
    """``$SOUNDSTREAM_HETREC_DIR``, else ``<repo>/../shared/data/hetrec2011-lastfm-2k``."""
    configured = os.environ.get("SOUNDSTREAM_HETREC_DIR")
    if configured:
        return Path(configured)
    repo = Path(__file__).resolve().parents[5]
    return repo.parent / "shared" / "data" / "hetrec2011-lastfm-2k"


def _read_columns(path: Path, columns: int) -> npt.NDArray[np.int64]:
    """The first ``columns`` tab-separated integer columns of a file with one header line."""
    table = np.loadtxt(
        path, delimiter="\t", skiprows=1, usecols=range(columns), dtype=np.int64, ndmin=2
    )
    return table.reshape(-1, columns)


def load_hetrec(data_dir: Path | str, *, with_tags: bool = True) -> Snapshot:
    """Listens, friendships and (unless ``with_tags`` is false) tag assignments of the data set."""
    root = Path(data_dir)
    listens = _read_columns(root / LISTENS_FILE, 3)
    friends = _read_columns(root / FRIENDS_FILE, 2)
    tags = None
    if with_tags and (root / TAGS_FILE).exists():
        tagged = _read_columns(root / TAGS_FILE, 3)
        tags = TagAssignments.from_arrays(tagged[:, 0], tagged[:, 1], tagged[:, 2])
    return Snapshot(
        listens=Listens.from_arrays(listens[:, 0], listens[:, 1], listens[:, 2]),
        friendships=Friendships.from_arrays(friends[:, 0], friends[:, 1]),
        tags=tags,
    )
