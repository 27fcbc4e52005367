"""Error responses become the right exception, with the problem details and request id."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from soundstream import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    SoundStreamError,
    ValidationError,
)


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (405, BadRequestError),
        (409, ConflictError),
        (413, PayloadTooLargeError),
        (422, ValidationError),
        (429, RateLimitError),
        (500, ServerError),
        (503, ServerError),
        (504, ServerError),
    ],
)
def test_each_status_maps_to_its_error(api: Any, status: int, error_class: type) -> None:
    api.answer(
        api.problem(status, title="Nope", detail="it failed", headers={"X-Request-ID": "req-42"})
    )
    with pytest.raises(error_class) as caught:
        api.client(max_retries=0).artists.get(7)
    error = caught.value
    assert isinstance(error, APIStatusError)
    assert isinstance(error, SoundStreamError)
    assert error.status_code == status
    assert error.request_id == "req-42"
    assert error.problem is not None
    assert error.problem.detail == "it failed"
    assert "it failed" in str(error)


def test_validation_error_lists_the_fields(api: Any) -> None:
    errors = [{"loc": ["query", "limit"], "msg": "too big", "type": "less_than_equal"}]
    api.answer(api.problem(422, errors=errors))
    with pytest.raises(ValidationError) as caught:
        api.client().artists.list(limit=201)
    assert caught.value.problem is not None
    assert caught.value.problem.errors is not None
    assert caught.value.problem.errors[0].loc == ["query", "limit"]


def test_request_id_falls_back_to_the_problem_body(api: Any) -> None:
    api.answer(api.problem(404, request_id="from-body"))
    with pytest.raises(NotFoundError) as caught:
        api.client().users.get(99)
    assert caught.value.request_id == "from-body"


def test_unknown_problem_fields_are_kept(api: Any) -> None:
    api.answer(api.problem(503, dependency="catalog"))
    with pytest.raises(ServerError) as caught:
        api.client(max_retries=0).artists.get(1)
    assert caught.value.problem is not None
    assert caught.value.problem.model_extra == {"dependency": "catalog"}


def test_error_without_problem_body_still_maps(api: Any) -> None:
    api.answer(httpx.Response(502, text="Bad Gateway from a proxy"))
    with pytest.raises(ServerError) as caught:
        api.client(max_retries=0).artists.get(1)
    assert caught.value.problem is None
    assert caught.value.body == "Bad Gateway from a proxy"
    assert caught.value.request_id is None


def test_success_with_a_body_that_is_not_the_model_is_reported(api: Any) -> None:
    api.answer(api.json({"unexpected": True}))
    with pytest.raises(APIResponseValidationError):
        api.client().artists.get(1)
    api.answer(httpx.Response(200, text="<html>"))
    with pytest.raises(APIResponseValidationError):
        api.client().artists.get(1)


def test_unknown_fields_in_responses_are_tolerated(api: Any) -> None:
    body = {"id": 1, "name": "A", "listeners": 0, "plays": 0, "is_placeholder": False}
    api.answer(api.json(body | {"top_tags": [], "tag_assignments": 0, "brand_new": [1, 2]}))
    artist = api.client().artists.get(1)
    assert artist.model_extra == {"brand_new": [1, 2]}


@pytest.mark.anyio
async def test_async_client_raises_the_same_errors(api: Any) -> None:
    api.answer(api.problem(404, detail="no artist 7", headers={"X-Request-ID": "req-7"}))
    async with api.async_client() as client:
        with pytest.raises(NotFoundError) as caught:
            await client.artists.get(7)
        api.answer(httpx.ConnectError("refused"))
        with pytest.raises(APIConnectionError):
            await client.with_options(max_retries=0).stats.overview()
    assert caught.value.request_id == "req-7"
