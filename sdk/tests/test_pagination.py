"""Lists follow next_cursor through every page; first-page attributes; to_pandas."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from soundstream import SyncPage


def artist(i: int) -> dict[str, Any]:
    return {"id": i, "name": f"artist {i}", "is_placeholder": False, "listeners": i, "plays": i}


def paged(request: httpx.Request) -> httpx.Response:
    """Seven artists, served ``limit`` at a time with an offset cursor."""
    limit = int(request.url.params.get("limit", "3"))
    start = int(request.url.params.get("cursor", "0"))
    items = [artist(i) for i in range(start + 1, min(start + limit, 7) + 1)]
    following = start + len(items)
    next_cursor = str(following) if following < 7 else None
    body = {"items": items, "total": 7, "limit": limit, "next_cursor": next_cursor}
    return httpx.Response(200, json=body)


def test_iterating_walks_every_page_in_order(api: Any) -> None:
    api.answer(paged)
    ids = [a.id for a in api.client().artists.list(sort="plays", limit=3)]
    assert ids == [1, 2, 3, 4, 5, 6, 7]
    assert [r.url.params.get("cursor") for r in api.requests] == [None, "3", "6"]
    assert all(r.url.params["sort"] == "plays" for r in api.requests)
    assert all(r.url.params["limit"] == "3" for r in api.requests)


def test_the_first_page_is_fetched_once_and_exposed(api: Any) -> None:
    api.answer(paged)
    page = api.client().artists.list(limit=3)
    assert isinstance(page, SyncPage)
    assert [a.id for a in page.items] == [1, 2, 3]
    assert page.total == 7
    assert page.next_cursor == "3"
    assert page.has_next_page()
    assert len(api.requests) == 1
    pages = list(page.iter_pages())
    assert [len(p.items) for p in pages] == [3, 3, 1]
    assert pages[-1].next_page() is None


def test_a_single_page_makes_one_request(api: Any) -> None:
    api.answer(api.json({"items": [artist(1)], "total": 1, "limit": 20, "next_cursor": None}))
    assert len(list(api.client().artists.list())) == 1
    assert len(api.requests) == 1


def test_extra_page_fields_are_kept(api: Any) -> None:
    body = {"items": [], "total": 0, "limit": 20, "next_cursor": None, "match": "all"}
    api.answer(api.json(body | {"tags": ["rock"], "unknown_tags": ["nope"]}))
    page = api.client().search.artists(tags=["rock", "nope"])
    assert page.extras == {"match": "all", "tags": ["rock"], "unknown_tags": ["nope"]}
    assert api.requests[0].url.params.get_list("tag") == ["rock", "nope"]


def test_to_pandas_holds_every_item_of_every_page(api: Any) -> None:
    api.answer(paged)
    frame = api.client().artists.list(limit=3).to_pandas()
    assert list(frame["id"]) == [1, 2, 3, 4, 5, 6, 7]
    assert {"name", "listeners", "plays"} <= set(frame.columns)


def test_recommendations_to_pandas(api: Any) -> None:
    items = [{"artist_id": 5, "score": 0.9, "name": "x"}, {"artist_id": 6, "score": 0.8}]
    api.answer(api.json({"user_id": 2, "source": "model", "items": items}))
    frame = api.client().recommendations.for_user(2).to_pandas()
    assert list(frame["artist_id"]) == [5, 6]


@pytest.mark.anyio
async def test_async_iteration_walks_every_page(api: Any) -> None:
    api.answer(paged)
    async with api.async_client() as client:
        ids = [a.id async for a in client.artists.list(limit=2)]
        first = await client.artists.list(limit=5)
        frame = await client.artists.list(limit=4).to_pandas()
    assert ids == [1, 2, 3, 4, 5, 6, 7]
    assert [a.id for a in first.items] == [1, 2, 3, 4, 5]
    assert first.total == 7
    assert list(frame["id"]) == [1, 2, 3, 4, 5, 6, 7]
