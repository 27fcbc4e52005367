"""``/export``: the streamed snapshot, its version and ETag, and what moves the version."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from listening.events import ListeningEventHandlers
from listening.services.dataset import Snapshot
from soundstream_common.cache import ResponseCache
from soundstream_common.db import make_session_factory
from soundstream_common.events.contract import ArtistDeleted

from .conftest import FRIENDSHIPS, LISTENS, ListeningService

Write = Callable[[ListeningService], Any]


def parse(body: bytes) -> dict[str, Any]:
    """The snapshot's lines, gathered per section."""
    lines = [json.loads(line) for line in body.decode().splitlines()]
    header, end = lines[0], lines[-1]
    sections: dict[str, list[tuple[int, ...]]] = {}
    current = None
    for line in lines[1:-1]:
        if isinstance(line, dict):
            assert line["type"] == "section"
            current = sections.setdefault(line["name"], [])
        else:
            assert current is not None
            current.append(tuple(line))
    return {"header": header, "end": end, **sections}


def both_ways(pairs: tuple[tuple[int, int], ...]) -> list[tuple[int, int]]:
    return sorted(p for a, b in pairs for p in ((a, b), (b, a)))


def test_snapshot_streams_every_listen_and_friendship(shared_api: ListeningService) -> None:
    response = shared_api.client.get("/export/snapshot")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/x-ndjson"
    snapshot = parse(response.content)
    assert sorted(snapshot["listens"]) == sorted(LISTENS)
    assert sorted(snapshot["friendships"]) == both_ways(FRIENDSHIPS)
    assert snapshot["end"] == {"type": "end", "listens": 5, "friendships": 4}
    header = snapshot["header"]
    assert header["type"] == "snapshot"
    assert header["format"] == 1
    assert header["dataset_version"] == 1
    assert response.headers["etag"] == header["etag"]
    assert response.headers["x-dataset-version"] == "1"


def test_snapshot_sections_name_their_columns(shared_api: ListeningService) -> None:
    lines = [
        json.loads(line) for line in shared_api.client.get("/export/snapshot").text.splitlines()
    ]
    sections = [line for line in lines if isinstance(line, dict) and line["type"] == "section"]
    assert sections == [
        {"type": "section", "name": "listens", "columns": ["user_id", "artist_id", "weight"]},
        {"type": "section", "name": "friendships", "columns": ["user_id", "friend_id"]},
    ]


def test_version_endpoint_matches_the_snapshot(shared_api: ListeningService) -> None:
    response = shared_api.client.get("/export/version")
    etag = shared_api.client.get("/export/snapshot").headers["etag"]
    assert response.json() == {"version": 1, "etag": etag}
    assert response.headers["etag"] == etag
    assert response.headers["x-dataset-version"] == "1"


@pytest.mark.parametrize("form", ["{etag}", "W/{etag}", '"other", {etag}', "*"])
def test_if_none_match_with_the_current_etag_is_not_modified(
    shared_api: ListeningService, form: str
) -> None:
    etag = shared_api.client.get("/export/version").json()["etag"]
    response = shared_api.client.get(
        "/export/snapshot", headers={"If-None-Match": form.format(etag=etag)}
    )
    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == etag


@pytest.mark.parametrize("stale", ['"0-1"', '"nonsense"', "garbage"])
def test_if_none_match_with_another_etag_streams(shared_api: ListeningService, stale: str) -> None:
    response = shared_api.client.get("/export/snapshot", headers={"If-None-Match": stale})
    assert response.status_code == 200
    assert parse(response.content)["end"]["listens"] == 5


def forget_artist(artist_id: int) -> Write:
    """Apply the catalog's artist.deleted as the consumer would."""

    def apply(api: ListeningService) -> None:
        handlers = ListeningEventHandlers(
            make_session_factory(api.engine), ResponseCache(None, "listening")
        )
        handlers.artist_deleted(ArtistDeleted(artist_id=artist_id))

    return apply


WRITES: dict[str, Write] = {
    "create user": lambda api: api.client.post("/users", json={"id": 9}),
    "delete user": lambda api: api.client.delete("/users/4"),
    "create listen": lambda api: api.client.put("/users/4/artists/10", json={"weight": 2}),
    "replace listen": lambda api: api.client.put("/users/1/artists/10", json={"weight": 2}),
    "add plays": lambda api: api.client.patch("/users/1/artists/10", json={"add_plays": 2}),
    "delete listen": lambda api: api.client.delete("/users/1/artists/10"),
    "befriend": lambda api: api.client.post("/users/2/friends", json={"friend_id": 3}),
    "unfriend": lambda api: api.client.delete("/users/1/friends/2"),
    "artist.deleted with listens": forget_artist(10),
}

NOT_WRITES: dict[str, Write] = {
    "failed put": lambda api: api.client.put("/users/1/artists/999", json={"weight": 2}),
    "failed unfriend": lambda api: api.client.delete("/users/2/friends/3"),
    "duplicate user": lambda api: api.client.post("/users", json={"id": 1}),
    "put the same weight": lambda api: api.client.put("/users/2/artists/10", json={"weight": 3}),
    "artist.deleted without listens": forget_artist(50),
    "artist.deleted of an unknown artist": forget_artist(12345),
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_every_kind_of_write_bumps_the_version(api: ListeningService, write: Write) -> None:
    old = api.client.get("/export/version").json()
    write(api)
    new = api.client.get("/export/version").json()
    assert new["version"] == old["version"] + 1
    assert new["etag"] != old["etag"]
    response = api.client.get("/export/snapshot", headers={"If-None-Match": old["etag"]})
    assert response.status_code == 200
    assert parse(response.content)["header"]["dataset_version"] == new["version"]


@pytest.mark.parametrize("action", NOT_WRITES.values(), ids=NOT_WRITES.keys())
def test_no_change_no_new_version(api: ListeningService, action: Write) -> None:
    old = api.client.get("/export/version").json()
    action(api)
    assert api.client.get("/export/version").json() == old
    response = api.client.get("/export/snapshot", headers={"If-None-Match": old["etag"]})
    assert response.status_code == 304


def test_a_rebuilt_database_never_reuses_an_etag(
    make_service: Callable[..., ListeningService],
) -> None:
    first, second = make_service(), make_service()
    assert first.version() == second.version() == 1
    etag = first.client.get("/export/version").json()["etag"]
    assert second.client.get("/export/version").json()["etag"] != etag


def test_snapshot_is_consistent_while_writes_commit(api: ListeningService) -> None:
    """A snapshot that has started keeps reading its version, whatever commits meanwhile."""
    snapshot = Snapshot(api.engine)
    lines = snapshot.lines()
    header = json.loads(next(lines))
    assert api.client.delete("/users/1").status_code == 204
    assert api.client.put("/users/4/artists/50", json={"weight": 8}).status_code == 201
    rest = b"".join(lines)
    snapshot_data = parse(json.dumps(header).encode() + b"\n" + rest)
    assert header["dataset_version"] == 1
    assert sorted(snapshot_data["listens"]) == sorted(LISTENS)
    assert sorted(snapshot_data["friendships"]) == both_ways(FRIENDSHIPS)
    after = parse(api.client.get("/export/snapshot").content)
    assert after["header"]["dataset_version"] == 3
    assert (4, 50, 8) in after["listens"]
    assert after["friendships"] == []


def test_an_abandoned_snapshot_releases_its_connection(api: ListeningService) -> None:
    snapshot = Snapshot(api.engine)
    lines = snapshot.lines()
    next(lines)
    assert api.engine.pool.checkedout() == 1  # type: ignore[attr-defined]
    lines.close()
    assert api.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    unread = Snapshot(api.engine)
    unread.close()
    unread.close()
    assert api.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    # The read transaction is over: a write and a fresh snapshot both go through.
    assert api.client.post("/users", json={"id": 77}).status_code == 201
    assert parse(api.client.get("/export/snapshot").content)["header"]["dataset_version"] == 2
