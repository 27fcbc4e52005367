"""Tag assignments: filtered lists, create (references checked), get, delete."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient


def test_list_everything_in_key_order(client: TestClient, dataset: Any) -> None:
    keys: list[tuple[int, int, int, int]] = []
    cursor = None
    while True:
        body = client.get(
            "/tag-assignments", params={"limit": 5, **({"cursor": cursor} if cursor else {})}
        ).json()
        assert body["total"] == len(dataset.assignments)
        keys += [
            (a["user_id"], a["artist_id"], a["tag_id"], a["timestamp_ms"]) for a in body["items"]
        ]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert keys == sorted(keys)
    assert len(set(keys)) == len(dataset.assignments)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"user_id": 1}, 6),
        ({"artist_id": 3}, 5),
        ({"tag_id": 2}, 6),
        ({"user_id": 2, "tag_id": 1}, 2),
        ({"from": "2009-01-01", "to": "2009-12-31"}, 5),
        ({"from": "2010-06-16"}, 2),
        ({"to": "2008-01-05"}, 3),
        ({"tag_id": 5}, 2),
        ({"tag_id": 5, "from": "1900-01-01"}, 1),  # a date range drops invalid dates
        ({"user_id": 999}, 0),
    ],
)
def test_filters(client: TestClient, params: dict[str, Any], expected: int) -> None:
    body = client.get("/tag-assignments", params={**params, "limit": 200}).json()
    assert body["total"] == expected == len(body["items"])
    for item in body["items"]:
        for name in ("user_id", "artist_id", "tag_id"):
            if name in params:
                assert item[name] == params[name]


def test_invalid_dates_are_listed_and_flagged(client: TestClient) -> None:
    items = client.get("/tag-assignments", params={"tag_id": 5}).json()["items"]
    invalid = [a for a in items if not a["date_valid"]]
    assert invalid == [
        {
            "user_id": 2,
            "artist_id": 4,
            "tag_id": 5,
            "timestamp_ms": 0,
            "date": "1956-01-01",
            "date_valid": False,
        }
    ]


def test_create_get_delete(client: TestClient) -> None:
    body = {"user_id": 6, "artist_id": 7, "tag_id": 4, "date": "2011-04-02"}
    response = client.post("/tag-assignments", json=body)
    assert response.status_code == 201
    created = response.json()
    assert created["date"] == "2011-04-02"
    assert created["date_valid"] is True
    location = response.headers["location"]
    assert location == f"/tag-assignments/6/7/4/{created['timestamp_ms']}"
    assert client.get(location).json() == created
    assert client.get("/artists/7/tags").json()["items"][0]["value"] == "electronic"
    assert client.post("/tag-assignments", json=body).status_code == 409
    assert client.delete(location).status_code == 204
    assert client.get(location).status_code == 404
    assert client.delete(location).status_code == 404


def test_create_defaults_to_today(client: TestClient) -> None:
    response = client.post("/tag-assignments", json={"user_id": 6, "artist_id": 7, "tag_id": 1})
    assert response.status_code == 201
    assert response.json()["date_valid"] is True


@pytest.mark.parametrize(
    ("body", "slug"),
    [
        ({"user_id": 99, "artist_id": 1, "tag_id": 1}, "user-not-found"),
        ({"user_id": 1, "artist_id": 99, "tag_id": 1}, "artist-not-found"),
        ({"user_id": 1, "artist_id": 1, "tag_id": 99}, "tag-not-found"),
    ],
)
def test_references_must_exist(client: TestClient, body: dict[str, int], slug: str) -> None:
    response = client.post("/tag-assignments", json=body)
    assert response.status_code == 404
    assert response.json()["type"].endswith(f"/{slug}")
