"""Tags: list and search, detail, writes, a tag's artists, timeline and similar tags."""

from __future__ import annotations

import math
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from catalog.models import TagAssignment


def test_list_by_name_and_usage(client: TestClient, dataset: Any) -> None:
    by_name = client.get("/tags", params={"limit": 200}).json()
    assert by_name["total"] == len(dataset.tags)
    assert [t["value"] for t in by_name["items"]] == sorted(dataset.tags.values())
    by_usage = client.get("/tags", params={"sort": "usage", "limit": 3}).json()
    assert [(t["value"], t["assignments"]) for t in by_usage["items"]] == [
        ("pop", 6),
        ("rock", 5),
        ("80s", 2),
    ]
    assert by_usage["next_cursor"] is not None
    rest = client.get(
        "/tags", params={"sort": "usage", "limit": 10, "cursor": by_usage["next_cursor"]}
    ).json()
    # electronic and metal tie at 2: lower id first; unused tags last.
    assert [t["value"] for t in rest["items"]] == ["electronic", "metal", "unused", "die Ärzte"]
    assert rest["next_cursor"] is None


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("RO", ["electronic", "rock"]),
        ("ärz", ["die Ärzte"]),
        ("DIE ÄRZTE", ["die Ärzte"]),
        ("o", ["electronic", "pop", "rock"]),
    ],
)
def test_search_ignores_letter_case(client: TestClient, q: str, expected: list[str]) -> None:
    body = client.get("/tags", params={"q": q}).json()
    assert [t["value"] for t in body["items"]] == expected
    assert body["total"] == len(expected)


def test_detail_has_usage_and_valid_date_span(client: TestClient) -> None:
    metal = client.get("/tags/5").json()
    # Two assignments, one with an impossible date: it counts, but not for the date span.
    assert (metal["assignments"], metal["artists"], metal["users"]) == (2, 1, 2)
    assert (metal["first_used"], metal["last_used"]) == ("2009-03-01", "2009-03-01")
    rock = client.get("/tags/1").json()
    assert (rock["assignments"], rock["artists"], rock["users"]) == (5, 3, 3)
    assert (rock["first_used"], rock["last_used"]) == ("2008-01-05", "2010-06-16")
    unused = client.get("/tags/6").json()
    assert (unused["assignments"], unused["first_used"]) == (0, None)


def test_create_rename_replace(client: TestClient) -> None:
    response = client.post("/tags", json={"value": " shoegaze "})
    assert response.status_code == 201
    created = response.json()
    assert created == {"id": created["id"], "value": "shoegaze", "assignments": 0}
    assert response.headers["location"] == f"/tags/{created['id']}"
    renamed = client.patch(f"/tags/{created['id']}", json={"value": "dream pop"}).json()
    assert renamed["value"] == "dream pop"
    assert client.patch(f"/tags/{created['id']}", json={}).json()["value"] == "dream pop"
    replaced = client.put("/tags/1", json={"value": "Rock"}).json()
    assert (replaced["value"], replaced["assignments"]) == ("Rock", 5)


def test_values_are_unique_regardless_of_case(client: TestClient) -> None:
    conflict = client.post("/tags", json={"value": "ROCK"})
    assert conflict.status_code == 409
    assert conflict.headers["content-type"] == "application/problem+json"
    assert conflict.json()["tag_id"] == 1
    assert client.post("/tags", json={"value": "DIE ärzte"}).status_code == 409
    assert client.patch("/tags/2", json={"value": "Rock"}).status_code == 409


def test_delete_refused_while_in_use_unless_forced(client: TestClient, engine: Engine) -> None:
    refused = client.delete("/tags/3")
    assert refused.status_code == 409
    assert refused.json()["type"].endswith("/tag-in-use")
    assert client.get("/tags/3").status_code == 200
    assert client.delete("/tags/6").status_code == 204
    assert client.delete("/tags/3", params={"force": "true"}).status_code == 204
    assert client.get("/tags/3").status_code == 404
    with engine.connect() as conn:
        left = conn.execute(select(func.count()).where(TagAssignment.tag_id == 3)).scalar_one()
    assert left == 0


def test_top_artists_for_a_tag(client: TestClient, dataset: Any) -> None:
    body = client.get("/tags/2/artists").json()
    assert body["total"] == len(dataset.artists_of("pop"))
    rows = [(a["id"], a["count"], a["listeners"], a["plays"]) for a in body["items"]]
    # Beyoncé tagged pop 3 times; the rest once each, ordered by listeners then id.
    assert rows == [(1, 3, 50, 5000), (2, 1, 40, 8000), (3, 1, 30, 3000), (6, 1, 0, 0)]
    assert body["items"][3]["is_placeholder"] is True
    page = client.get("/tags/2/artists", params={"limit": 3}).json()
    following = client.get(
        "/tags/2/artists", params={"limit": 3, "cursor": page["next_cursor"]}
    ).json()
    assert [a["id"] for a in page["items"] + following["items"]] == [1, 2, 3, 6]


def test_timeline_by_month_and_year(client: TestClient) -> None:
    yearly = client.get("/tags/1/timeline", params={"granularity": "year"}).json()
    assert yearly["value"] == "rock"
    assert yearly["points"] == [
        {"period": "2008", "count": 2},
        {"period": "2009", "count": 1},
        {"period": "2010", "count": 2},
    ]
    monthly = client.get(
        "/tags/1/timeline", params={"from": "2008-02-01", "to": "2009-03-01"}
    ).json()
    assert (monthly["from"], monthly["to"], monthly["total"]) == ("2008-02-01", "2009-03-01", 2)
    # Gaps between the first and last period are filled with zeros.
    assert monthly["points"][0] == {"period": "2008-02", "count": 1}
    assert monthly["points"][-1] == {"period": "2009-03", "count": 1}
    assert len(monthly["points"]) == 14
    assert sum(p["count"] for p in monthly["points"]) == 2
    metal = client.get("/tags/5/timeline", params={"granularity": "year"}).json()
    assert metal["points"] == [{"period": "2009", "count": 1}]  # the 1956 row is invalid
    empty = client.get("/tags/1/timeline", params={"from": "2011-01-01"}).json()
    assert (empty["total"], empty["points"]) == (0, [])


def test_similar_tags_on_a_known_example(client: TestClient, dataset: Any) -> None:
    """rock = {3, 4, 5}; 80s = {3, 5}; metal = {4}; electronic = {2, 3}; pop = {1, 2, 3, 6}."""
    body = client.get("/tags/1/similar").json()
    assert (body["tag_id"], body["measure"], body["artists"], body["total"]) == (1, "jaccard", 3, 4)
    got = [(t["value"], t["shared_artists"], t["artists"], t["score"]) for t in body["items"]]
    assert got == [
        ("80s", 2, 2, round(2 / 3, 6)),
        ("metal", 1, 1, round(1 / 3, 6)),
        ("electronic", 1, 2, 0.25),
        ("pop", 1, 4, round(1 / 6, 6)),
    ]
    cosine = client.get("/tags/1/similar", params={"measure": "cosine", "limit": 2}).json()
    assert [(t["value"], t["score"]) for t in cosine["items"]] == [
        ("80s", round(2 / math.sqrt(6), 6)),
        ("metal", round(1 / math.sqrt(3), 6)),
    ]
    assert cosine["next_cursor"] is not None
    for other in body["items"]:
        a, b = dataset.artists_of("rock"), dataset.artists_of(other["value"])
        assert other["score"] == round(len(a & b) / len(a | b), 6)
    assert client.get("/tags/6/similar").json()["items"] == []
