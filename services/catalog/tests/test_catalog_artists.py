"""Artists: list and name search, sorting, pagination, detail, writes, an artist's tags."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from catalog.models import Artist, ArtistPopularity, TagAssignment


def walk(client: TestClient, path: str, **params: Any) -> tuple[list[dict[str, Any]], list[int]]:
    """Every item of a paginated list, following next_cursor; also each page's total."""
    items: list[dict[str, Any]] = []
    totals: list[int] = []
    cursor = None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        body = client.get(path, params=query).json()
        items.extend(body["items"])
        totals.append(body["total"])
        cursor = body["next_cursor"]
        if cursor is None:
            return items, totals


def test_list_walks_every_page_in_name_order(client: TestClient, dataset: Any) -> None:
    items, totals = walk(client, "/artists", limit=2)
    assert set(totals) == {len(dataset.artists)}
    assert len(totals) == 4
    names = [item["name"] for item in items]
    assert names == [
        "[unknown artist 6]",
        "Beyoncé",
        "Björk",
        "Depeche Mode",
        "Motörhead",
        "Sigur Rós",
        "The Cure",
    ]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("beyonce", ["Beyoncé"]),
        ("BEYONCÉ", ["Beyoncé"]),
        ("bjo", ["Björk"]),
        ("MOTORHEAD", ["Motörhead"]),
        ("ros", ["Sigur Rós"]),
        ("e", ["Beyoncé", "Depeche Mode", "Motörhead", "The Cure"]),
        ("100%", []),
        ("_", []),
    ],
)
def test_name_search_ignores_case_and_accents(
    client: TestClient, q: str, expected: list[str]
) -> None:
    body = client.get("/artists", params={"q": q}).json()
    assert [item["name"] for item in body["items"]] == expected
    assert body["total"] == len(expected)


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        # Popularity first; artists without popularity data (0) by id.
        ("listeners", [1, 2, 3, 4, 5, 6, 7]),
        ("plays", [2, 1, 3, 4, 5, 6, 7]),
    ],
)
def test_sort_by_popularity_with_id_tie_break(
    client: TestClient, sort: str, expected: list[int]
) -> None:
    items, _ = walk(client, "/artists", sort=sort, limit=3)
    assert [item["id"] for item in items] == expected


def test_detail_has_popularity_and_top_tags(client: TestClient, dataset: Any) -> None:
    body = client.get("/artists/3").json()
    assert body["name"] == "Depeche Mode"
    assert (body["listeners"], body["plays"]) == dataset.popularity[3]
    assert body["tag_assignments"] == 5
    assert [(t["value"], t["count"]) for t in body["top_tags"]] == [
        ("rock", 2),
        ("pop", 1),
        ("80s", 1),
        ("electronic", 1),
    ]


def test_placeholder_artists_are_flagged(client: TestClient) -> None:
    assert client.get("/artists/6").json()["is_placeholder"] is True
    assert client.get("/artists/5").json()["is_placeholder"] is False
    listed = {a["id"]: a["is_placeholder"] for a in client.get("/artists").json()["items"]}
    assert listed[6] is True


def test_artist_tags_with_counts_and_taggers(client: TestClient) -> None:
    body = client.get("/artists/4/tags").json()
    assert body["total"] == 2
    assert [(t["value"], t["count"], t["users"]) for t in body["items"]] == [
        ("metal", 2, 2),
        ("rock", 1, 1),
    ]
    items, totals = walk(client, "/artists/3/tags", limit=1)
    assert [t["value"] for t in items] == ["rock", "pop", "80s", "electronic"]
    assert set(totals) == {4}


def test_create_returns_201_with_location(client: TestClient, engine: Engine) -> None:
    response = client.post(
        "/artists", json={"name": "  Röyksopp ", "url": "http://www.last.fm/music/Royksopp"}
    )
    assert response.status_code == 201
    created = response.json()
    assert created["name"] == "Röyksopp"
    assert created["is_placeholder"] is False
    assert (created["listeners"], created["plays"]) == (0, 0)
    assert response.headers["location"] == f"/artists/{created['id']}"
    assert client.get(response.headers["location"]).json()["name"] == "Röyksopp"
    assert client.get("/artists", params={"q": "royksopp"}).json()["total"] == 1
    with engine.connect() as conn:
        stored = conn.execute(select(Artist).where(Artist.id == created["id"])).one()
    assert stored.search_name == "royksopp"


def test_patch_changes_only_given_fields(client: TestClient) -> None:
    before = client.get("/artists/2").json()
    response = client.patch("/artists/2", json={"picture_url": "http://img/bjork.jpg"})
    assert response.status_code == 200
    after = response.json()
    assert after["picture_url"] == "http://img/bjork.jpg"
    assert (after["name"], after["url"]) == (before["name"], before["url"])
    cleared = client.patch("/artists/2", json={"url": None}).json()
    assert cleared["url"] is None
    assert cleared["picture_url"] == "http://img/bjork.jpg"


def test_renaming_a_placeholder_makes_it_a_real_artist(client: TestClient) -> None:
    renamed = client.patch("/artists/6", json={"name": "Kraftwerk"}).json()
    assert renamed["is_placeholder"] is False
    assert client.get("/artists", params={"q": "kraftwerk"}).json()["items"][0]["id"] == 6


def test_put_replaces_every_field(client: TestClient) -> None:
    response = client.put("/artists/5", json={"name": "The Cure (band)"})
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "The Cure (band)"
    assert body["url"] is None
    assert body["picture_url"] is None
    assert client.get("/artists/5").json()["name"] == "The Cure (band)"


def test_delete_cascades_locally(client: TestClient, engine: Engine) -> None:
    assert client.delete("/artists/3").status_code == 204
    assert client.get("/artists/3").status_code == 404
    with engine.connect() as conn:
        left = conn.execute(select(func.count()).where(TagAssignment.artist_id == 3)).scalar_one()
        popularity = conn.execute(
            select(func.count()).where(ArtistPopularity.artist_id == 3)
        ).scalar_one()
    assert (left, popularity) == (0, 0)
    assert client.delete("/artists/3").status_code == 404
    assert client.get("/artists").json()["total"] == 6
