"""Sample calls of the SDK's operations and the check that each sends its operation's request.

The sample calls are split by resource over the ``test_operations_*.py`` modules:
``RESOURCE_GROUPS`` names the resources each covers, and ``test_operations.py`` proves that
together they cover every operation of ``soundstream._operations.OPERATIONS``.
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

import httpx

from soundstream import AsyncSoundStream, SoundStream
from soundstream._operations import OPERATIONS

RESOURCE_GROUPS = {
    "catalog": ("artists", "tags", "search"),
    "users": ("users", "listens", "friends", "stats"),
    "recommender": ("recommendations", "models", "jobs"),
    "admin": ("keys", "analytics"),
}

SIMILAR = {"id": 89, "model_version": "v1", "items": [{"id": 90, "score": 0.5}]}
TIMELINE = {"granularity": "year", "from": "2005-01-01", "total": 1, "points": []}


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


OPERATION_BY_METHOD = {op.sdk_method: (op_id, op) for op_id, op in OPERATIONS.items()}


def operations_of(group: str) -> set[str]:
    """The SDK methods of the operations on the resources of ``group``."""
    resources = RESOURCE_GROUPS[group]
    return {op.sdk_method for op in OPERATIONS.values() if op.sdk_method.split(".")[0] in resources}


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


def answer_of(call: Call) -> httpx.Response:
    """The scripted answer to a sample call."""
    if call.answer is None:
        return httpx.Response(call.status)
    return httpx.Response(call.status, json=call.answer)


def check_sync_call(api: Any, sdk_method: str, call: Call) -> None:
    """The sync client's method sends its operation's request (and returns None on 204)."""
    api.answer(answer_of(call))
    result = resolve(api.client(), sdk_method)(*call.args, **call.kwargs)
    assert len(api.requests) == 1
    check_request(api.requests[0], sdk_method, call)
    if call.answer is None:
        assert result is None


async def check_async_call(api: Any, sdk_method: str, call: Call) -> None:
    """The async client's method sends the same request as the sync one and returns the same."""
    api.answer(answer_of(call))
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
