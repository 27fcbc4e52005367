"""The catalog's resources (artists, tags, search): each SDK method sends its operation's
request, the same from both clients."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest

from .operation_calls import (
    SIMILAR,
    TIMELINE,
    Call,
    check_async_call,
    check_sync_call,
    operations_of,
    page,
)

ARTIST = {"id": 89, "name": "Röyksopp", "is_placeholder": False, "listeners": 611, "plays": 2}
DETAIL = ARTIST | {"tag_assignments": 3, "top_tags": [{"id": 73, "value": "rock", "count": 3}]}
TAG = {"id": 73, "value": "rock", "assignments": 5}
ASSIGNMENT = {"user_id": 2, "artist_id": 52, "tag_id": 13, "timestamp_ms": 1238544000000}
ASSIGNMENT_READ = ASSIGNMENT | {"date_valid": True}

CALLS: dict[str, Call] = {
    "artists.list": Call(
        (), {"q": "roy", "sort": "plays"}, {}, page(ARTIST), {"q": "roy", "sort": "plays"}
    ),
    "artists.create": Call((), {"name": "X"}, {}, ARTIST, body={"name": "X"}, status=201),
    "artists.get": Call((89,), {}, {"artist_id": 89}, DETAIL),
    "artists.update": Call((89,), {"url": None}, {"artist_id": 89}, ARTIST, body={"url": None}),
    "artists.replace": Call(
        (89,),
        {"name": "Y"},
        {"artist_id": 89},
        ARTIST,
        body={"name": "Y", "url": None, "picture_url": None},
    ),
    "artists.delete": Call((89,), {}, {"artist_id": 89}, None, status=204),
    "artists.tags": Call((89,), {"limit": 5}, {"artist_id": 89}, page(), {"limit": "5"}),
    "artists.similar": Call((89,), {"k": 3}, {"artist_id": 89}, SIMILAR, {"k": "3"}),
    "artists.page": Call(
        (89,),
        {},
        {"artist_id": 89},
        {
            "artist": DETAIL,
            "listeners": 611,
            "plays": 2,
            "similar": None,
            "unavailable": ["recommender"],
        },
    ),
    "tags.list": Call((), {"sort": "usage"}, {}, page(TAG), {"sort": "usage"}),
    "tags.create": Call((), {"value": "rock"}, {}, TAG, body={"value": "rock"}, status=201),
    "tags.get": Call((73,), {}, {"tag_id": 73}, TAG | {"artists": 1, "users": 1}),
    "tags.update": Call((73,), {"value": "Rock"}, {"tag_id": 73}, TAG, body={"value": "Rock"}),
    "tags.replace": Call((73,), {"value": "Rock"}, {"tag_id": 73}, TAG, body={"value": "Rock"}),
    "tags.delete": Call(
        (73,), {"force": True}, {"tag_id": 73}, None, {"force": "true"}, status=204
    ),
    "tags.artists": Call(
        (73,),
        {"from_": dt.date(2008, 1, 1), "to": dt.date(2008, 12, 31)},
        {"tag_id": 73},
        page(),
        {"from": "2008-01-01", "to": "2008-12-31"},
    ),
    "tags.timeline": Call(
        (73,),
        {"granularity": "year", "from_": dt.date(2005, 1, 1)},
        {"tag_id": 73},
        TIMELINE | {"tag_id": 73, "value": "rock"},
        {"granularity": "year", "from": "2005-01-01"},
    ),
    "tags.similar": Call(
        (73,),
        {"measure": "cosine", "from_": dt.date(2009, 1, 1)},
        {"tag_id": 73},
        page(),
        {"measure": "cosine", "from": "2009-01-01"},
    ),
    "tags.assignments": Call((), {"user_id": 2}, {}, page(ASSIGNMENT_READ), {"user_id": "2"}),
    "tags.assign": Call(
        (),
        {"user_id": 2, "artist_id": 52, "tag_id": 13, "date": dt.date(2009, 4, 1)},
        {},
        ASSIGNMENT_READ,
        body={"user_id": 2, "artist_id": 52, "tag_id": 13, "date": "2009-04-01"},
        status=201,
    ),
    "tags.get_assignment": Call((), ASSIGNMENT, ASSIGNMENT, ASSIGNMENT_READ),
    "tags.unassign": Call((), ASSIGNMENT, ASSIGNMENT, None, status=204),
    "search.artists": Call(
        (),
        {"tags": ["rock", "80s"], "match": "any", "min_plays": 10, "to": dt.date(2008, 6, 30)},
        {},
        page(match="any", tags=["rock"], unknown_tags=[]),
        {"tag": ["rock", "80s"], "match": "any", "min_plays": "10", "to": "2008-06-30"},
    ),
}


def test_every_catalog_operation_has_a_sample_call_and_vice_versa() -> None:
    assert set(CALLS) == operations_of("catalog")


@pytest.mark.parametrize("sdk_method", sorted(CALLS))
def test_sync_method_sends_its_operation(api: Any, sdk_method: str) -> None:
    check_sync_call(api, sdk_method, CALLS[sdk_method])


@pytest.mark.anyio
@pytest.mark.parametrize("sdk_method", sorted(CALLS))
async def test_async_method_sends_the_same_request(api: Any, sdk_method: str) -> None:
    await check_async_call(api, sdk_method, CALLS[sdk_method])


def test_get_many_reads_in_batches_of_200_and_keeps_the_order(api: Any) -> None:
    wanted = [*range(450, 0, -1), 450]  # a repeat is read once

    def answer(request: httpx.Request) -> httpx.Response:
        ids = [int(i) for i in request.url.params["ids"].split(",")]
        items = [ARTIST | {"id": i, "name": f"a{i}"} for i in ids if i % 7]
        missing = [i for i in ids if not i % 7]
        return httpx.Response(200, json=page(*items, missing=missing))

    api.answer(answer)
    batch = api.client().artists.get_many(wanted)
    assert [len(r.url.params["ids"].split(",")) for r in api.requests] == [200, 200, 50]
    assert [a.id for a in batch.items] == [i for i in range(450, 0, -1) if i % 7]
    assert batch.items[0].name == "a450"
    assert batch.missing == [i for i in range(450, 0, -1) if not i % 7]
