"""Every SDK method sends its operation's request, the same from both clients.

The table below calls each method of ``soundstream._operations.OPERATIONS`` once, and the
requests are checked against the operation's method and path template.
"""

from __future__ import annotations

import datetime as dt
import inspect
import json
from typing import Any, NamedTuple

import httpx
import pytest

from soundstream import AsyncSoundStream, SoundStream
from soundstream._operations import HELPER_METHODS, OPERATIONS

ARTIST = {"id": 89, "name": "Röyksopp", "is_placeholder": False, "listeners": 611, "plays": 2}
DETAIL = ARTIST | {"tag_assignments": 3, "top_tags": [{"id": 73, "value": "rock", "count": 3}]}
TAG = {"id": 73, "value": "rock", "assignments": 5}
ASSIGNMENT = {"user_id": 2, "artist_id": 52, "tag_id": 13, "timestamp_ms": 1238544000000}
USER = {"id": 2, "plays": 10, "artists": 3, "friends": 1}
LISTEN = {"user_id": 2, "artist_id": 51, "weight": 13}
SIMILAR = {"id": 89, "model_version": "v1", "items": [{"id": 90, "score": 0.5}]}
RECS = {"user_id": 2, "source": "model", "items": [{"artist_id": 90, "score": 0.5}]}
MODEL = {
    "version": "v1",
    "current": True,
    "algorithm": "als",
    "dataset_version": 1,
    "dataset_etag": "e",
    "n_users": 1,
    "n_artists": 1,
    "training_seconds": 1.0,
    "trained_at": "2026-11-26T00:00:00Z",
    "metrics": [],
}
TASK = {"task_id": "t-1", "state": "SUCCESS", "steps": {"train": "SUCCESS"}}
KEY = {"id": "k4", "name": "ci", "scopes": ["read"], "created_at": "2026-11-26T00:00:00Z"}
TIMELINE = {"granularity": "year", "from": "2005-01-01", "total": 1, "points": []}
USER_STATS = {
    "user_id": 2,
    "plays": 1,
    "artists": 1,
    "entropy": 0.5,
    "friends": 1,
    "percentiles": {},
}


OVERVIEW_FIELDS = ["users", "listens", "artists", "artists_with_listens", "friendships"]
OVERVIEW_FIELDS += ["friendship_rows", "plays", "dataset_version"]
RESOURCES = ["artists", "tags", "users", "listens", "friends", "search", "stats"]
RESOURCES += ["recommendations", "models", "keys"]


def page(*items: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"items": list(items), "total": len(items), "limit": 20, "next_cursor": None} | extra


class Call(NamedTuple):
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    path_params: dict[str, Any]
    answer: Any
    query: dict[str, Any] | None = None
    body: Any = None
    status: int = 200


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
        {"artist": DETAIL, "top_tags": [], "similar": None, "unavailable": ["recommender"]},
    ),
    "tags.list": Call((), {"sort": "usage"}, {}, page(TAG), {"sort": "usage"}),
    "tags.create": Call((), {"value": "rock"}, {}, TAG, body={"value": "rock"}, status=201),
    "tags.get": Call((73,), {}, {"tag_id": 73}, TAG | {"artists": 1, "users": 1}),
    "tags.update": Call((73,), {"value": "Rock"}, {"tag_id": 73}, TAG, body={"value": "Rock"}),
    "tags.replace": Call((73,), {"value": "Rock"}, {"tag_id": 73}, TAG, body={"value": "Rock"}),
    "tags.delete": Call(
        (73,), {"force": True}, {"tag_id": 73}, None, {"force": "true"}, status=204
    ),
    "tags.artists": Call((73,), {}, {"tag_id": 73}, page()),
    "tags.timeline": Call(
        (73,),
        {"granularity": "year", "from_": dt.date(2005, 1, 1)},
        {"tag_id": 73},
        TIMELINE | {"tag_id": 73, "value": "rock"},
        {"granularity": "year", "from": "2005-01-01"},
    ),
    "tags.similar": Call(
        (73,), {"measure": "cosine"}, {"tag_id": 73}, page(), {"measure": "cosine"}
    ),
    "tags.assignments": Call((), {"user_id": 2}, {}, page(ASSIGNMENT), {"user_id": "2"}),
    "tags.assign": Call(
        (),
        {"user_id": 2, "artist_id": 52, "tag_id": 13, "date": dt.date(2009, 4, 1)},
        {},
        ASSIGNMENT,
        body={"user_id": 2, "artist_id": 52, "tag_id": 13, "date": "2009-04-01"},
        status=201,
    ),
    "tags.get_assignment": Call((), ASSIGNMENT, ASSIGNMENT, ASSIGNMENT),
    "tags.unassign": Call((), ASSIGNMENT, ASSIGNMENT, None, status=204),
    "search.artists": Call(
        (),
        {"tags": ["rock", "80s"], "match": "any", "min_plays": 10},
        {},
        page(match="any", tags=["rock"], unknown_tags=[]),
        {"tag": ["rock", "80s"], "match": "any", "min_plays": "10"},
    ),
    "stats.top_tags": Call((), {"by": "users"}, {}, page(), {"by": "users"}),
    "stats.tag_dominance": Call((), {"kind": "niche"}, {}, page(rule="r"), {"kind": "niche"}),
    "stats.timeline": Call((), {"to": dt.date(2010, 1, 1)}, {}, TIMELINE, {"to": "2010-01-01"}),
    "users.list": Call((), {"sort": "plays"}, {}, page(USER), {"sort": "plays"}),
    "users.create": Call((), {"id": 5000}, {}, USER, body={"id": 5000}, status=201),
    "users.get": Call((2,), {}, {"user_id": 2}, USER | {"entropy": 1.0}),
    "users.delete": Call((2,), {}, {"user_id": 2}, None, status=204),
    "users.similar": Call((2,), {}, {"user_id": 2}, SIMILAR),
    "users.profile": Call((2,), {}, {"user_id": 2}, {"user": USER | {"entropy": 1.0}}),
    "listens.list": Call((2,), {}, {"user_id": 2}, page(LISTEN)),
    "listens.set": Call(
        (2, 51), {"weight": 13}, {"user_id": 2, "artist_id": 51}, LISTEN, body={"weight": 13}
    ),
    "listens.add": Call(
        (2, 51), {"plays": 4}, {"user_id": 2, "artist_id": 51}, LISTEN, body={"add_plays": 4}
    ),
    "listens.delete": Call((2, 51), {}, {"user_id": 2, "artist_id": 51}, None, status=204),
    "friends.list": Call((2,), {}, {"user_id": 2}, page(USER)),
    "friends.add": Call(
        (2, 3),
        {},
        {"user_id": 2},
        {"user_id": 2, "friend_id": 3},
        body={"friend_id": 3},
        status=201,
    ),
    "friends.remove": Call((2, 3), {}, {"user_id": 2, "friend_id": 3}, None, status=204),
    "friends.artists": Call(
        (2,), {}, {"user_id": 2}, page({"artist_id": 1, "friends": 2, "plays": 3})
    ),
    "stats.overview": Call(
        (),
        {},
        {},
        dict.fromkeys(
            OVERVIEW_FIELDS,
            1,
        ),
    ),
    "stats.weights": Call(
        (), {"lorenz_points": 11}, {}, {"listens": 1, "plays": 2}, {"lorenz_points": "11"}
    ),
    "stats.social": Call((), {}, {}, {"users": 1}),
    "stats.top_artists": Call(
        (), {"by": "listeners", "limit": 3}, {}, page(), {"by": "listeners", "limit": "3"}
    ),
    "stats.user": Call((2,), {}, {"user_id": 2}, USER_STATS),
    "recommendations.for_user": Call(
        (2,), {"k": 5, "explain": True}, {"user_id": 2}, RECS, {"k": "5", "explain": "true"}
    ),
    "recommendations.feedback": Call(
        (2, 90),
        {"kind": "dislike"},
        {"user_id": 2},
        {"user_id": 2, "artist_id": 90, "kind": "dislike", "created_at": "2026-11-26T00:00:00Z"},
        body={"artist_id": 90, "kind": "dislike"},
        status=201,
    ),
    "recommendations.cold_start": Call(
        (),
        {"seed_artists": [1, 2], "seed_tags": [7], "k": 5},
        {},
        RECS,
        body={"seed_artists": [1, 2], "seed_tags": [7], "k": 5},
    ),
    "models.retrain": Call(
        (),
        {"force": True},
        {},
        {"task_id": "t-1", "status_url": "/v1/tasks/t-1"},
        {"force": "true"},
        status=202,
    ),
    "models.task": Call(("t-1",), {}, {"task_id": "t-1"}, TASK),
    "models.list": Call((), {}, {}, [MODEL]),
    "models.current": Call((), {}, {}, MODEL),
    "models.pipeline": Call((), {}, {}, {"steps": [], "edges": [], "mermaid": "graph"}),
    "keys.create": Call(
        (),
        {"name": "ci", "scopes": ["read", "write"]},
        {},
        KEY | {"key": "sk-1"},
        body={"name": "ci", "scopes": ["read", "write"]},
        status=201,
    ),
    "keys.list": Call((), {}, {}, [KEY]),
    "keys.revoke": Call(("k4",), {}, {"key_id": "k4"}, None, status=204),
}

OPERATION_BY_METHOD = {op.sdk_method: (op_id, op) for op_id, op in OPERATIONS.items()}


def resolve(client: SoundStream | AsyncSoundStream, sdk_method: str) -> Any:
    resource, method = sdk_method.split(".")
    return getattr(getattr(client, resource), method)


def check_request(request: httpx.Request, sdk_method: str, call: Call) -> None:
    _, operation = OPERATION_BY_METHOD[sdk_method]
    assert request.method == operation.method
    assert request.url.path == operation.path.format(**call.path_params)
    for name, expected in (call.query or {}).items():
        values = request.url.params.get_list(name)
        assert values == (expected if isinstance(expected, list) else [expected]), name
    if call.body is not None:
        assert json.loads(request.content) == call.body


def test_every_operation_has_a_sample_call_and_vice_versa() -> None:
    assert set(CALLS) == {op.sdk_method for op in OPERATIONS.values()}


def test_the_mapping_names_distinct_methods_that_exist_on_both_clients() -> None:
    methods = [op.sdk_method for op in OPERATIONS.values()]
    assert len(methods) == len(set(methods))
    sync_client, async_client = SoundStream(), AsyncSoundStream()
    for sdk_method in [*methods, *HELPER_METHODS]:
        sync_method, async_method = (
            resolve(sync_client, sdk_method),
            resolve(async_client, sdk_method),
        )
        assert inspect.signature(sync_method) == _unasync(inspect.signature(async_method)), (
            sdk_method
        )
    sync_client.close()


def _unasync(signature: inspect.Signature) -> inspect.Signature:
    """The async method's signature with AsyncPaginator returns read as SyncPage."""
    annotation = str(signature.return_annotation).replace("AsyncPaginator", "SyncPage")
    return signature.replace(return_annotation=annotation)


def test_every_public_resource_method_is_mapped() -> None:
    mapped = {op.sdk_method for op in OPERATIONS.values()} | HELPER_METHODS
    client = SoundStream()
    public = {
        f"{resource}.{name}"
        for resource in RESOURCES
        for name, _ in inspect.getmembers(type(getattr(client, resource)), inspect.isfunction)
        if not name.startswith("_")
    }
    client.close()
    assert public == mapped


@pytest.mark.parametrize("sdk_method", sorted(CALLS))
def test_sync_method_sends_its_operation(api: Any, sdk_method: str) -> None:
    call = CALLS[sdk_method]
    api.answer(
        httpx.Response(call.status, json=call.answer)
        if call.answer is not None
        else httpx.Response(call.status)
    )
    result = resolve(api.client(), sdk_method)(*call.args, **call.kwargs)
    assert len(api.requests) == 1
    check_request(api.requests[0], sdk_method, call)
    if call.answer is None:
        assert result is None


@pytest.mark.anyio
@pytest.mark.parametrize("sdk_method", sorted(CALLS))
async def test_async_method_sends_the_same_request(api: Any, sdk_method: str) -> None:
    call = CALLS[sdk_method]
    answer = (
        httpx.Response(call.status, json=call.answer)
        if call.answer is not None
        else httpx.Response(call.status)
    )
    api.answer(answer)
    sync_result = resolve(api.client(), sdk_method)(*call.args, **call.kwargs)
    async with api.async_client() as client:
        outcome = resolve(client, sdk_method)(*call.args, **call.kwargs)
        async_result = await outcome
    sync_request, async_request = api.requests
    assert (async_request.method, async_request.url) == (sync_request.method, sync_request.url)
    assert async_request.content == sync_request.content
    check_request(async_request, sdk_method, call)
    if hasattr(sync_result, "items") and not isinstance(sync_result, dict):
        assert async_result.items == sync_result.items
    else:
        assert async_result == sync_result


def test_cold_start_needs_a_seed_and_sends_only_what_is_used(api: Any) -> None:
    with pytest.raises(ValueError, match="seed"):
        api.client().recommendations.cold_start()
    assert api.requests == []
    api.answer(httpx.Response(200, json=RECS))
    api.client().recommendations.cold_start(seed_tags=[7], exclude=[3], explain=True)
    sent = json.loads(api.requests[0].content)
    assert sent == {"seed_artists": [], "seed_tags": [7], "exclude": [3], "k": 10, "explain": True}
