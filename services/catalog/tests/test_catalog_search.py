"""Granular search: all vs any, unknown tags, popularity bounds, sorting, paging.

Every test runs with the tag index on (``CATALOG_TAG_INDEX=auto``: on SQLite the answers come
from memory once it is built) and off (every answer from the database)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from catalog.config import Settings
from catalog.main import create_app

from .conftest import app_state, fresh_index


@pytest.fixture(params=["auto", "off"], ids=["tag-index-auto", "tag-index-off"])
def client(
    request: pytest.FixtureRequest,
    seeded_url: str,
    redis_url: str,
    settings_for: Callable[..., Settings],
) -> Iterator[TestClient]:
    """The real catalog app over the seeded database, with the tag index on or off."""
    settings = settings_for(seeded_url, redis_url, tag_index=request.param)
    with TestClient(create_app(settings)) as test_client:
        index = app_state(test_client).tag_index
        if request.param == "off" or not settings.is_sqlite:
            assert index.current() is None
        else:
            fresh_index(index)  # the searches below are answered from memory
        yield test_client


def search(client: TestClient, *tags: str, **params: Any) -> dict[str, Any]:
    response = client.get("/search/artists", params=[*(("tag", t) for t in tags), *params.items()])
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def ids(body: dict[str, Any]) -> list[int]:
    return [hit["id"] for hit in body["items"]]


def test_all_requires_every_tag(client: TestClient) -> None:
    body = search(client, "rock", "80s")
    assert ids(body) == [3, 5]  # equal relevance: more listeners first
    assert body["total"] == 2
    assert body["tags"] == ["rock", "80s"]
    assert body["unknown_tags"] == []
    first = body["items"][0]
    assert first["matched_tags"] == [{"value": "rock", "count": 2}, {"value": "80s", "count": 1}]
    assert first["relevance"] == round(math.log(3) + math.log(2), 6)
    assert (first["listeners"], first["plays"], first["name"]) == (30, 3000, "Depeche Mode")


def test_any_accepts_one_tag(client: TestClient, dataset: Any) -> None:
    body = search(client, "rock", "80s", match="any")
    assert ids(body) == [3, 5, 4]
    assert body["items"][2]["matched_tags"] == [{"value": "rock", "count": 1}]
    wide = search(client, "pop", "metal", "electronic", match="any", limit=200)
    expected = (
        dataset.artists_of("pop") | dataset.artists_of("metal") | dataset.artists_of("electronic")
    )
    assert set(ids(wide)) == expected
    assert wide["total"] == len(expected)


def test_relevance_ranks_stronger_matches_first(client: TestClient, dataset: Any) -> None:
    body = search(client, "pop", match="any")
    assert ids(body)[0] == 1  # tagged pop by three users
    for hit in body["items"]:
        assert hit["relevance"] == round(math.log1p(dataset.count(hit["id"], "pop")), 6)


def test_tag_values_ignore_case_and_duplicates(client: TestClient) -> None:
    body = search(client, "ROCK", "rock", "80S")
    assert body["tags"] == ["rock", "80s"]
    assert ids(body) == [3, 5]
    assert search(client, "DIE ÄRZTE")["tags"] == ["die Ärzte"]


def test_unknown_tags_are_named(client: TestClient) -> None:
    strict = search(client, "rock", "polka")
    assert (strict["items"], strict["total"], strict["unknown_tags"]) == ([], 0, ["polka"])
    loose = search(client, "rock", "polka", match="any")
    assert ids(loose) == [3, 5, 4]
    assert loose["unknown_tags"] == ["polka"]
    nothing = search(client, "polka", "zydeco", match="any")
    assert (nothing["total"], nothing["tags"]) == (0, [])


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"min_listeners": 25}, [3]),
        ({"max_listeners": 25}, [5, 4]),
        ({"min_listeners": 20, "max_listeners": 20}, [4]),
        ({"min_plays": 1000, "max_plays": 2999}, [4]),
        ({"max_plays": 0}, [5]),
        ({"min_listeners": 1000}, []),
    ],
)
def test_popularity_bounds_are_inclusive(
    client: TestClient, params: dict[str, int], expected: list[int]
) -> None:
    body = search(client, "rock", "80s", match="any", **params)
    assert ids(body) == expected
    assert body["total"] == len(expected)


@pytest.mark.parametrize(
    ("sort", "expected"),
    [("relevance", [1, 4, 2, 3, 6]), ("listeners", [1, 2, 3, 4, 6]), ("plays", [2, 1, 3, 4, 6])],
)
def test_sorting(client: TestClient, sort: str, expected: list[int]) -> None:
    assert ids(search(client, "pop", "metal", match="any", sort=sort)) == expected


def test_pages_cover_every_hit_once(client: TestClient) -> None:
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"match": "any", "limit": 2}
        if cursor:
            params["cursor"] = cursor
        body = search(client, "pop", "rock", "electronic", **params)
        seen += ids(body)
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == ids(search(client, "pop", "rock", "electronic", match="any", limit=200))
    assert len(seen) == len(set(seen)) == 6


def test_ten_tags_are_allowed(client: TestClient) -> None:
    body = search(client, *[f"t{i}" for i in range(9)], "rock", match="any")
    assert ids(body) == [3, 5, 4]
    assert len(body["unknown_tags"]) == 9
