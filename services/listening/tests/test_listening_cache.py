"""Response caching in a real Redis: hits, invalidation by the writes that matter, Redis down."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from .conftest import ListeningService

CACHED = [
    "/users?sort=plays",
    "/users/3",
    "/stats/overview",
    "/stats/weights",
    "/stats/artists/top",
    "/stats/social",
    "/stats/users/3",
]

# Changing user 3's plays of artist 40 behind the API's back, then a write through the API.
SECRET_CHANGE = "UPDATE listens SET weight = 100 WHERE user_id = 3 AND artist_id = 40"

Write = Callable[[ListeningService], Any]
WRITES: dict[str, tuple[Write, set[str]]] = {
    # write -> the cached endpoints it makes stale (the others stay cached)
    "listen": (
        lambda api: api.client.put("/users/4/artists/50", json={"weight": 1}),
        set(CACHED),
    ),
    "friendship": (
        lambda api: api.client.post("/users/2/friends", json={"friend_id": 3}),
        {"/users?sort=plays", "/users/3", "/stats/overview", "/stats/social", "/stats/users/3"},
    ),
    "user": (lambda api: api.client.post("/users", json={"id": 8}), set(CACHED)),
}


def hits(api: ListeningService) -> int:
    return api.app_state.cache.hits


@pytest.mark.parametrize("path", CACHED)
def test_reads_are_cached(redis_api: ListeningService, path: str) -> None:
    first = redis_api.client.get(path)
    assert first.status_code == 200
    before = hits(redis_api)
    second = redis_api.client.get(path)
    assert hits(redis_api) == before + 1
    assert second.json() == first.json()
    assert second.headers["content-type"] == "application/json"


@pytest.mark.parametrize("name", WRITES)
def test_writes_invalidate_exactly_what_they_change(redis_api: ListeningService, name: str) -> None:
    write, stale = WRITES[name]
    cached = {path: redis_api.client.get(path).json() for path in CACHED}
    redis_api.execute(SECRET_CHANGE)
    # Still the cached answers: the secret change went around the API.
    assert {path: redis_api.client.get(path).json() for path in CACHED} == cached
    assert write(redis_api).status_code == 201
    for path in CACHED:
        before = hits(redis_api)
        redis_api.client.get(path)
        served_from_cache = hits(redis_api) == before + 1
        assert served_from_cache is (path not in stale), path


def test_fresh_answers_after_a_write(redis_api: ListeningService) -> None:
    assert redis_api.client.get("/users/4").json()["plays"] == 0
    assert redis_api.client.get("/stats/artists/top").json()["items"][0]["artist_id"] == 40
    redis_api.client.put("/users/4/artists/20", json={"weight": 50})
    assert redis_api.client.get("/users/4").json()["plays"] == 50
    top = redis_api.client.get("/stats/artists/top").json()["items"][0]
    assert (top["artist_id"], top["plays"]) == (20, 51)
    redis_api.client.delete("/users/4")
    assert redis_api.client.get("/users/4").status_code == 404
    assert redis_api.client.get("/stats/overview").json()["users"] == 3


def test_failed_writes_leave_the_cache_alone(redis_api: ListeningService) -> None:
    redis_api.client.get("/stats/artists/top")
    redis_api.client.put("/users/1/artists/999", json={"weight": 5})
    before = hits(redis_api)
    redis_api.client.get("/stats/artists/top")
    assert hits(redis_api) == before + 1


UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_down(make_service: Callable[..., ListeningService]) -> ListeningService:
    return make_service(redis_url=UNREACHABLE_REDIS)


def test_without_redis_every_endpoint_answers_uncached(redis_down: ListeningService) -> None:
    for path in CACHED:
        assert redis_down.client.get(path).status_code == 200, path
    assert redis_down.client.put("/users/4/artists/20", json={"weight": 50}).status_code == 201
    assert redis_down.client.get("/users/4").json()["plays"] == 50
    top = redis_down.client.get("/stats/artists/top").json()["items"][0]
    assert (top["artist_id"], top["plays"]) == (20, 51)
    assert redis_down.app_state.cache.hits == 0


def test_without_redis_events_wait_in_the_outbox(redis_down: ListeningService) -> None:
    redis_down.client.post("/users", json={"id": 12})
    assert redis_down.outbox() == [("user.created", {"user_id": 12})]


def test_without_redis_ready_is_degraded(redis_down: ListeningService) -> None:
    response = redis_down.client.get("/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["redis"]["status"] == "fail"
    assert body["checks"]["database"]["status"] == "ok"


def test_without_redis_dead_letters_are_unavailable(redis_down: ListeningService) -> None:
    response = redis_down.client.get("/events/dead-letters")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"


def test_with_redis_ready_is_ready(redis_api: ListeningService) -> None:
    assert redis_api.client.get("/ready").json()["status"] == "ready"
