"""The snapshot client against the real listening service's export (SQLite, tiny data set)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import insert

from listening.config import Settings as ListeningSettings
from listening.db import MIGRATIONS as LISTENING_MIGRATIONS
from listening.main import create_app as create_listening_app
from listening.models import ArtistRef, Friendship, Listen, User
from recommender.training.snapshot_client import (
    SnapshotError,
    SnapshotUnavailableError,
    fetch_snapshot,
    fetch_version,
    parse_snapshot,
)
from soundstream_common.db import create_db_engine

from .conftest import serve

LISTENS = ((1, 10, 1), (1, 20, 7), (2, 10, 3), (3, 40, 6))
FRIENDS = ((1, 2), (2, 1))
TOKEN = secrets.token_hex(32)  # the listening service requires it, as in production


@pytest.fixture
def listening_url(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'listening.db'}"
    engine = create_db_engine(url)
    LISTENING_MIGRATIONS.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(insert(ArtistRef), [{"id": i} for i in (10, 20, 40)])
        conn.execute(insert(User), [{"id": i} for i in (1, 2, 3)])
        conn.execute(
            insert(Listen), [{"user_id": u, "artist_id": a, "weight": w} for u, a, w in LISTENS]
        )
        conn.execute(insert(Friendship), [{"user_id": a, "friend_id": b} for a, b in FRIENDS])
    engine.dispose()
    settings = ListeningSettings(
        database_url=url, redis_url="", data_dir=tmp_path, service_token=TOKEN
    )
    with serve(create_listening_app(settings)) as base:
        yield base


def test_the_listening_export_becomes_snapshot_arrays(listening_url: str) -> None:
    dataset = fetch_snapshot(listening_url, token=TOKEN)

    listens = dataset.snapshot.listens
    rows = sorted(
        zip(
            listens.user_ids.tolist(),
            listens.artist_ids.tolist(),
            listens.weights.tolist(),
            strict=True,
        )
    )
    assert rows == sorted(LISTENS)
    friends = dataset.snapshot.friendships
    assert sorted(zip(friends.user_ids.tolist(), friends.friend_ids.tolist(), strict=True)) == [
        (1, 2),
        (2, 1),
    ]
    assert dataset.version >= 1
    assert dataset.etag.endswith(f'-{dataset.version}"')
    assert listens.weights.dtype == np.float64


def test_a_truncated_stream_is_rejected() -> None:
    lines = [
        '{"type":"snapshot","format":1,"dataset_version":3,"etag":"\\"x-3\\""}',
        '{"type":"section","name":"listens","columns":["user_id","artist_id","weight"]}',
        "[1,2,3]",
    ]

    with pytest.raises(SnapshotError, match="truncated"):
        parse_snapshot(lines)
    with pytest.raises(SnapshotError, match="count"):
        parse_snapshot([*lines, '{"type":"end","listens":2,"friendships":0}'])
    with pytest.raises(SnapshotError, match="format"):
        parse_snapshot(['{"type":"snapshot","format":2,"dataset_version":1,"etag":"e"}'])


def test_an_unreachable_service_is_a_transient_error() -> None:
    with pytest.raises(SnapshotUnavailableError):
        fetch_snapshot("http://127.0.0.1:9", timeout=2)


def test_without_the_service_token_the_export_is_refused(listening_url: str) -> None:
    assert fetch_version(listening_url, token=TOKEN)
    with pytest.raises(SnapshotError, match="answered 401"):
        fetch_snapshot(listening_url)
    with pytest.raises(SnapshotError, match="answered 401"):
        fetch_version(listening_url)
