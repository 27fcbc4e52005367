"""Forwarded answers that list artists by id leave the gateway with the artists' names, read
in one catalog call; a write whose naming fails still reports its success."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

JSON = "application/json"


def page(items: list[dict[str, Any]]) -> bytes:
    return json.dumps(
        {"items": items, "total": len(items), "limit": 20, "next_cursor": None}
    ).encode()


def catalog_knows(upstreams: Any, artists: dict[int, str]) -> None:
    items: list[dict[str, Any]] = [
        {
            "id": a,
            "name": name,
            "url": None,
            "picture_url": None,
            "is_placeholder": False,
            "listeners": 1,
            "plays": 1,
            "top_tags": [],
        }
        for a, name in artists.items()
    ]
    body = json.loads(page(items)) | {"missing": []}
    upstreams.catalog.answer("GET", "/artists", 200, json.dumps(body).encode(), JSON)


@pytest.mark.parametrize(
    ("upstream", "path", "listed"),
    [
        (
            "listening",
            "/stats/artists/top",
            [{"rank": 1, "artist_id": 289, "listeners": 5, "plays": 9}],
        ),
        ("listening", "/users/2/artists", [{"user_id": 2, "artist_id": 289, "weight": 9}]),
        ("listening", "/users/2/friends/artists", [{"artist_id": 289, "friends": 2, "plays": 9}]),
        (
            "recommender",
            "/recommendations/users/2/feedback",
            [
                {
                    "user_id": 2,
                    "artist_id": 289,
                    "kind": "dislike",
                    "created_at": "2026-12-07T12:00:00Z",
                }
            ],
        ),
    ],
)
def test_lists_of_artists_carry_their_names(
    gateway: TestClient, upstreams: Any, upstream: str, path: str, listed: list[dict[str, Any]]
) -> None:
    getattr(upstreams, upstream).answer("GET", path, 200, page(listed), JSON)
    catalog_knows(upstreams, {289: "Britney Spears"})
    response = gateway.get(f"/v1{path}")
    assert response.status_code == 200
    (item,) = response.json()["items"]
    assert item == {**listed[0], "name": "Britney Spears"}
    assert [r.query for r in upstreams.catalog.requests] == ["ids=289"]


def test_similar_artists_are_named_and_an_artist_gone_from_the_catalog_is_null(
    gateway: TestClient, upstreams: Any
) -> None:
    similar = {
        "id": 5,
        "model_version": "v1",
        "items": [{"id": 6, "score": 0.5}, {"id": 7, "score": 0.4}],
    }
    upstreams.recommender.answer(
        "GET", "/artists/5/similar", 200, json.dumps(similar).encode(), JSON
    )
    catalog_knows(upstreams, {6: "Moby"})
    items = gateway.get("/v1/artists/5/similar").json()["items"]
    assert items == [
        {"id": 6, "score": 0.5, "name": "Moby"},
        {"id": 7, "score": 0.4, "name": None},
    ]


def test_a_cold_start_answer_is_named_and_leaves_the_cache_as_it_was(
    gateway: TestClient, upstreams: Any
) -> None:
    answer = {
        "user_id": None,
        "source": "seeds",
        "model_version": "v1",
        "generated_at": None,
        "items": [{"artist_id": 6, "score": 1.0, "listened": False, "reasons": None}],
    }
    upstreams.recommender.answer("POST", "/recommendations", 200, json.dumps(answer).encode(), JSON)
    upstreams.listening.answer("GET", "/users/2/artists", 200, page([]), JSON)
    catalog_knows(upstreams, {6: "Moby"})
    gateway.get("/v1/users/2/artists")
    response = gateway.post("/v1/recommendations", json={"seed_artists": [5]})
    assert response.status_code == 200
    assert response.json()["items"][0]["name"] == "Moby"
    gateway.get("/v1/users/2/artists")
    # The second read was answered from the cache: a read-only POST invalidated nothing.
    assert [r.path for r in upstreams.listening.requests] == ["/users/2/artists"]


def test_a_write_answer_goes_out_unnamed_when_the_catalog_cannot_name_it(
    gateway: TestClient, upstreams: Any, make_key: Any
) -> None:
    key = make_key(gateway, "write")
    listen = {"user_id": 2, "artist_id": 6, "weight": 3}
    upstreams.listening.answer("PUT", "/users/2/artists/6", 200, json.dumps(listen).encode(), JSON)
    upstreams.catalog.answer("GET", "/artists", 503, b'{"status": 503}', "application/problem+json")
    response = gateway.put("/v1/users/2/artists/6", json={"weight": 3}, headers={"X-API-Key": key})
    assert response.status_code == 200
    assert response.json() == listen


def test_a_read_whose_names_cannot_be_read_is_a_503_naming_the_catalog(
    gateway_factory: Any, upstreams: Any, closed_url: str
) -> None:
    gateway = gateway_factory(catalog_url=closed_url)
    upstreams.listening.answer(
        "GET", "/users/2/artists", 200, page([{"user_id": 2, "artist_id": 6, "weight": 3}]), JSON
    )
    response = gateway.get("/v1/users/2/artists")
    assert response.status_code == 503
    assert response.json()["upstream"] == "catalog"


def test_similar_users_carry_their_counts_from_one_listening_call(
    gateway: TestClient, upstreams: Any
) -> None:
    similar = {
        "id": 2,
        "model_version": "v1",
        "items": [{"id": 5, "score": 0.9}, {"id": 6, "score": 0.8}],
    }
    upstreams.recommender.answer("GET", "/users/2/similar", 200, json.dumps(similar).encode(), JSON)
    users = page([{"id": 5, "plays": 100, "artists": 10, "friends": 3}])
    upstreams.listening.answer("GET", "/users", 200, users, JSON)
    items = gateway.get("/v1/users/2/similar").json()["items"]
    assert items == [
        {"id": 5, "score": 0.9, "plays": 100, "artists": 10, "friends": 3},
        {"id": 6, "score": 0.8, "plays": None, "artists": None, "friends": None},
    ]
    assert [r.query for r in upstreams.listening.requests] == ["ids=5%2C6"]
