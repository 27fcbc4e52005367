"""Response caching in Redis: hits, invalidation by the writes that change an answer, and
answering uncached (with /ready degraded) when Redis is unreachable."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert

from catalog.main import create_app
from catalog.models import TagAssignment

from .conftest import app_state


def closed_port() -> int:
    """A local TCP port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def uncached(seeded_url: str, settings_for: Callable[..., Any]) -> Iterator[TestClient]:
    """A second app on the same database without Redis: the fresh answer."""
    with TestClient(create_app(settings_for(seeded_url))) as test_client:
        yield test_client


def test_second_read_is_served_from_cache(client: TestClient, engine: Engine) -> None:
    cache = app_state(client).cache
    first = client.get("/stats/tags/top").json()
    hits = cache.hits
    # Changed behind the service's back: the cached answer is still served...
    with engine.begin() as conn:
        conn.execute(
            insert(TagAssignment),
            {"user_id": 6, "artist_id": 7, "tag_id": 6, "timestamp_ms": 0, "date_valid": False},
        )
    assert client.get("/stats/tags/top").json() == first
    assert cache.hits == hits + 1
    # ...until a write through the API invalidates it.
    created = client.post("/tag-assignments", json={"user_id": 6, "artist_id": 7, "tag_id": 2})
    assert created.status_code == 201
    fresh = client.get("/stats/tags/top").json()
    assert fresh["total"] == first["total"] + 1
    assert fresh["items"][0]["assignments"] == first["items"][0]["assignments"] + 1


def test_batch_reads_share_each_artists_cached_item(client: TestClient) -> None:
    cache = app_state(client).cache
    first = client.get("/artists", params={"ids": "3,1,999"}).json()
    hits = cache.hits
    second = client.get("/artists", params={"ids": "1,7,3"}).json()
    assert cache.hits == hits + 2  # artists 1 and 3 from the first batch
    by_id = {item["id"]: item for item in second["items"]}
    assert [by_id[3], by_id[1]] == first["items"]
    assert [item["id"] for item in second["items"]] == [1, 7, 3]
    assert (first["missing"], second["missing"]) == ([999], [])


def test_parameters_are_part_of_the_key(client: TestClient) -> None:
    by_name = client.get("/tags", params={"sort": "name"}).json()
    by_usage = client.get("/tags", params={"sort": "usage"}).json()
    assert by_name != by_usage
    assert client.get("/tags", params={"sort": "name"}).json() == by_name


WRITES: list[tuple[str, str, dict[str, Any]]] = [
    ("POST", "/tag-assignments", {"json": {"user_id": 6, "artist_id": 3, "tag_id": 3}}),
    ("DELETE", "/tag-assignments/1/3/1/1199491200000", {}),
    ("DELETE", "/artists/3", {}),
    ("PATCH", "/artists/3", {"json": {"name": "DM"}}),
    ("PATCH", "/tags/3", {"json": {"value": "eighties"}}),
    ("DELETE", "/tags/3", {"params": {"force": "true"}}),
]
READS = [
    "/artists?ids=3,1,7,999",
    "/tags?sort=usage",
    "/tags/1/artists",
    "/tags/1/timeline?granularity=year",
    "/tags/1/similar",
    "/search/artists?tag=rock&tag=80s&match=any",
    "/stats/tags/top?by=artists",
    "/stats/tags/dominance?min_artist_share=0.4&min_user_share=0.4",
    "/stats/timeline",
]


@pytest.mark.parametrize(
    ("method", "path", "kwargs"), WRITES, ids=[f"{m} {p}" for m, p, _ in WRITES]
)
def test_writes_invalidate_what_they_change(
    client: TestClient,
    uncached: TestClient,
    method: str,
    path: str,
    kwargs: dict[str, Any],
) -> None:
    for read in READS:
        client.get(read)
    response = client.request(method, path, **kwargs)
    assert response.status_code in (200, 201, 204), response.text
    for read in READS:
        assert client.get(read).json() == uncached.get(read).json(), read


def test_without_redis_answers_uncached_and_ready_is_degraded(
    seeded_url: str, settings_for: Callable[..., Any]
) -> None:
    settings = settings_for(seeded_url, f"redis://127.0.0.1:{closed_port()}/0")
    with TestClient(create_app(settings)) as client:
        ready = client.get("/ready")
        assert ready.status_code == 200
        body = ready.json()
        assert body["status"] == "degraded"
        assert body["checks"]["redis"]["status"] == "fail"
        assert body["checks"]["database"]["status"] == "ok"
        for read in READS:
            assert client.get(read).status_code == 200, read
        before = client.get("/stats/tags/top").json()
        created = client.post("/tag-assignments", json={"user_id": 6, "artist_id": 7, "tag_id": 6})
        assert created.status_code == 201
        assert client.get("/stats/tags/top").json()["total"] == before["total"] + 1
        assert client.post("/artists", json={"name": "Air"}).status_code == 201
        assert client.delete("/artists/7").status_code == 204
        dead = client.get("/events/dead-letters")
        assert dead.status_code == 503
        assert dead.headers["content-type"] == "application/problem+json"
