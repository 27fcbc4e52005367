"""Lists of artists as clients name them: batch reads by id, relevance of a name search, and
the tags each list item carries."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete

from catalog.dependencies import ArtistIdPath, valid_artist
from catalog.models import Artist, ArtistPopularity, TagAssignment
from catalog.services import artists as artists_service
from soundstream_common.app import SessionDep


def test_batch_read_keeps_the_order_given_and_lists_unknown_ids_apart(
    client: TestClient, dataset: Any
) -> None:
    response = client.get("/artists", params={"ids": "3,999,1,3,2147483647"})
    assert response.status_code == 200
    body = response.json()
    assert [item["id"] for item in body["items"]] == [3, 1]
    assert [item["name"] for item in body["items"]] == ["Depeche Mode", "Beyoncé"]
    assert body["missing"] == [999, 2147483647]
    assert body["total"] == 2
    assert body["next_cursor"] is None
    assert body["items"][1]["listeners"] == dataset.listeners(1)


def test_each_item_carries_its_most_applied_tags(client: TestClient, dataset: Any) -> None:
    (depeche,) = client.get("/artists", params={"ids": "3"}).json()["items"]
    tags = depeche["top_tags"]
    assert [tag["value"] for tag in tags] == ["rock", "pop", "80s", "electronic"]
    assert [tag["count"] for tag in tags] == [dataset.count(3, t["value"]) for t in tags]
    page = client.get("/artists", params={"q": "depeche"}).json()
    assert page["items"][0]["top_tags"] == tags
    assert page["missing"] == []


def test_a_list_item_shows_at_most_five_tags(client: TestClient) -> None:
    for value in ("a", "b", "c", "d", "e", "f"):
        tag_id = client.post("/tags", json={"value": f"extra {value}"}).json()["id"]
        created = client.post(
            "/tag-assignments",
            json={"user_id": 1, "artist_id": 5, "tag_id": tag_id, "date": "2010-01-01"},
        )
        assert created.status_code == 201, created.text
    (cure,) = client.get("/artists", params={"ids": "5"}).json()["items"]
    assert len(cure["top_tags"]) == 5
    assert [tag["value"] for tag in cure["top_tags"][:2]] == ["rock", "80s"]
    detail = client.get("/artists/5").json()
    assert len(detail["top_tags"]) == 8


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"ids": ""}, "ids"),
        ({"ids": "1,,2"}, "ids"),
        ({"ids": "1;2"}, "ids"),
        ({"ids": "-1"}, "ids"),
        ({"ids": "0"}, "ids"),
        ({"ids": "2147483648"}, "ids"),
        ({"ids": ",".join(str(i) for i in range(1, 202))}, "ids"),
        ({"ids": "1", "q": "cure"}, "q"),
        ({"ids": "1", "sort": "name"}, "sort"),
        ({"ids": "1", "limit": "5"}, "limit"),
    ],
)
def test_bad_batch_reads_are_422_naming_the_parameter(
    client: TestClient, params: dict[str, str], field: str
) -> None:
    response = client.get("/artists", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert ["query", field] in [error["loc"] for error in response.json()["errors"]]


def test_two_hundred_distinct_ids_are_one_batch(client: TestClient) -> None:
    ids = ",".join(str(i) for i in [*range(1, 201), 1])
    body = client.get("/artists", params={"ids": ids}).json()
    assert len(body["items"]) + len(body["missing"]) == 200


def test_name_search_ranks_exact_then_prefix_matches_first(client: TestClient) -> None:
    for name in ("John Lee Hooker & Miles Davis", "Miles Davis Quintet", "Miles Davis"):
        assert client.post("/artists", json={"name": name}).status_code == 201
    found = client.get("/artists", params={"q": "miles davis"}).json()["items"]
    assert [item["name"] for item in found] == [
        "Miles Davis",
        "Miles Davis Quintet",
        "John Lee Hooker & Miles Davis",
    ]
    alphabetical = client.get("/artists", params={"q": "miles davis", "sort": "name"}).json()
    assert alphabetical["items"][0]["name"] == "John Lee Hooker & Miles Davis"


def test_relevance_puts_the_most_listened_first_within_a_rank(client: TestClient) -> None:
    # "e": no exact or prefix match among these; the most listened come first.
    found = client.get("/artists", params={"q": "e"}).json()["items"]
    listeners = [item["listeners"] for item in found]
    assert listeners == sorted(listeners, reverse=True)


@pytest.mark.parametrize(("method", "body"), [("PATCH", {"name": "X"}), ("PUT", {"name": "X"})])
def test_a_change_racing_a_delete_is_a_404(
    client: TestClient, engine: Engine, method: str, body: dict[str, str]
) -> None:
    """The artist is read by the request, then deleted by another one before the change is
    written: the client learns it is gone (404), never a 500."""
    app: FastAPI = client.app  # type: ignore[assignment]

    def read_then_lose(session: SessionDep, artist_id: ArtistIdPath) -> Artist:
        artist = artists_service.get_artist(session, artist_id=artist_id)
        with engine.begin() as conn:
            conn.execute(delete(ArtistPopularity).where(ArtistPopularity.artist_id == artist_id))
            conn.execute(delete(TagAssignment).where(TagAssignment.artist_id == artist_id))
            conn.execute(delete(Artist).where(Artist.id == artist_id))
        return artist

    app.dependency_overrides[valid_artist] = read_then_lose
    try:
        response = client.request(method, "/artists/5", json=body)
    finally:
        app.dependency_overrides.clear()
    assert response.status_code == 404, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert client.get("/artists/5").status_code == 404
