"""Retries: which failures are retried, how long the client waits, Retry-After."""

from __future__ import annotations

import email.utils
from typing import Any

import httpx
import pytest

from soundstream import (
    APIConnectionError,
    APITimeoutError,
    RateLimitError,
    RetryPolicy,
    ServerError,
)
from soundstream._retries import parse_retry_after

ARTIST = {"id": 1, "name": "MALICE MIZER", "is_placeholder": False, "listeners": 1, "plays": 2}
ARTIST_DETAIL = ARTIST | {"tag_assignments": 0, "top_tags": []}
LISTEN = {"user_id": 2, "artist_id": 51, "weight": 13}


def connect_error() -> httpx.ConnectError:
    return httpx.ConnectError("connection refused")


def test_server_errors_are_retried_with_capped_exponential_backoff(api: Any) -> None:
    api.answer(*[api.problem(503)] * 6, api.json(ARTIST_DETAIL))
    policy = RetryPolicy(initial_delay=0.5, max_delay=4.0, jitter=0.0)
    client = api.client(max_retries=6, retry_policy=policy)

    artist = client.artists.get(1)

    assert artist.name == "MALICE MIZER"
    assert len(api.requests) == 7
    assert api.sleeps == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]


def test_jitter_shortens_each_wait_by_at_most_its_fraction(api: Any) -> None:
    api.answer(api.problem(500), api.problem(502), api.json(ARTIST_DETAIL))
    policy = RetryPolicy(initial_delay=1.0, max_delay=8.0, jitter=0.25)
    client = api.client(max_retries=2, retry_policy=policy, random=lambda: 1.0)

    client.artists.get(1)

    assert api.sleeps == [0.75, 1.5]


def test_real_jitter_stays_within_bounds() -> None:
    import random

    policy = RetryPolicy(initial_delay=1.0, max_delay=8.0, jitter=0.25)
    delays = [policy.delay(3, random=random.random) for _ in range(200)]
    assert all(6.0 <= d <= 8.0 for d in delays)
    assert len(set(delays)) > 1


def test_gives_up_after_max_retries_with_the_last_error(api: Any) -> None:
    api.answer(api.problem(503, detail="catalog is down"))
    client = api.client(max_retries=2)

    with pytest.raises(ServerError) as caught:
        client.artists.get(1)

    assert caught.value.status_code == 503
    assert caught.value.problem is not None
    assert caught.value.problem.detail == "catalog is down"
    assert len(api.requests) == 3
    assert len(api.sleeps) == 2


def test_max_retries_zero_sends_once(api: Any) -> None:
    api.answer(api.problem(503))
    with pytest.raises(ServerError):
        api.client(max_retries=0).artists.get(1)
    assert len(api.requests) == 1
    assert api.sleeps == []


def test_retry_after_seconds_is_honoured_instead_of_backoff(api: Any) -> None:
    api.answer(api.problem(429, headers={"Retry-After": "7"}), api.json(ARTIST_DETAIL))
    api.client(max_retries=2).artists.get(1)
    assert api.sleeps == [7.0]


def test_retry_after_http_date_is_honoured() -> None:
    now = 1_700_000_000.0
    date = email.utils.formatdate(now + 30, usegmt=True)
    assert parse_retry_after({"retry-after": date}, now=lambda: now) == pytest.approx(30.0)
    assert parse_retry_after({"retry-after": "soon"}) is None
    assert parse_retry_after({}) is None
    assert parse_retry_after({"retry-after": "-3"}) == 0.0


def test_unreasonable_retry_after_falls_back_to_backoff(api: Any) -> None:
    api.answer(api.problem(503, headers={"Retry-After": "3600"}), api.json(ARTIST_DETAIL))
    api.client(retry_policy=RetryPolicy(initial_delay=0.5, jitter=0.0)).artists.get(1)
    assert api.sleeps == [0.5]


def test_rate_limit_error_carries_retry_after_when_retries_run_out(api: Any) -> None:
    api.answer(api.problem(429, headers={"Retry-After": "2"}))
    with pytest.raises(RateLimitError) as caught:
        api.client(max_retries=1).artists.get(1)
    assert caught.value.retry_after == 2.0
    assert api.sleeps == [2.0]


def test_connection_errors_are_retried_for_reads(api: Any) -> None:
    api.answer(connect_error(), httpx.ReadTimeout("slow"), api.json(ARTIST_DETAIL))
    assert api.client(max_retries=2).artists.get(1).id == 1
    assert len(api.requests) == 3


def test_connection_failure_after_retries_is_an_api_connection_error(api: Any) -> None:
    api.answer(connect_error())
    with pytest.raises(APIConnectionError) as caught:
        api.client(max_retries=1).artists.get(1)
    assert not isinstance(caught.value, APITimeoutError)
    assert len(api.requests) == 2


def test_timeout_is_an_api_timeout_error(api: Any) -> None:
    api.answer(httpx.ReadTimeout("slow"))
    with pytest.raises(APITimeoutError):
        api.client(max_retries=0).artists.get(1)


@pytest.mark.parametrize(
    "error",
    [httpx.ConnectError("refused"), httpx.ConnectTimeout("syn"), httpx.PoolTimeout("pool")],
)
def test_post_is_retried_when_the_request_was_never_sent(api: Any, error: Exception) -> None:
    api.answer(error, api.json(ARTIST, status=201))
    created = api.client(max_retries=2).artists.create(name="MALICE MIZER")
    assert created.id == 1
    assert len(api.requests) == 2


@pytest.mark.parametrize(
    "answer",
    [httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("reset"), httpx.WriteError("broken")],
)
def test_post_is_not_retried_once_it_may_have_been_sent(api: Any, answer: Exception) -> None:
    api.answer(answer, api.json(ARTIST, status=201))
    with pytest.raises(APIConnectionError):
        api.client(max_retries=2).artists.create(name="MALICE MIZER")
    assert len(api.requests) == 1


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_non_idempotent_writes_are_not_retried_on_server_errors(api: Any, status: int) -> None:
    api.answer(api.problem(status))
    client = api.client(max_retries=2)
    with pytest.raises(ServerError):
        client.listens.add(2, 51, plays=5)  # PATCH adds plays: a retry could add them twice
    with pytest.raises(ServerError):
        client.users.create()
    assert len(api.requests) == 2


def test_rate_limited_posts_are_retried(api: Any) -> None:
    """The rate limiter answers 429 before any work is done, so a retry is safe."""
    api.answer(api.problem(429, headers={"Retry-After": "1"}), api.json(ARTIST, status=201))
    assert api.client().artists.create(name="MALICE MIZER").id == 1
    assert len(api.requests) == 2


def test_idempotent_writes_are_retried_on_server_errors(api: Any) -> None:
    api.answer(api.problem(502), api.json(LISTEN))
    assert api.client().listens.set(2, 51, weight=13).weight == 13
    api.answer(api.problem(503), httpx.Response(204))
    api.client().artists.delete(1)
    assert [r.method for r in api.requests] == ["PUT", "PUT", "DELETE", "DELETE"]


def test_cold_start_post_is_a_query_and_is_retried(api: Any) -> None:
    body = {"source": "seeds", "items": [{"artist_id": 3, "score": 0.5}]}
    api.answer(api.problem(503), api.json(body))
    result = api.client().recommendations.cold_start(seed_artists=[1, 2])
    assert result.items[0].artist_id == 3
    assert len(api.requests) == 2


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 413, 422])
def test_client_errors_are_never_retried(api: Any, status: int) -> None:
    api.answer(api.problem(status))
    with pytest.raises(Exception):  # noqa: B017, PT011 - the class is checked in test_errors
        api.client(max_retries=3).artists.get(1)
    assert len(api.requests) == 1


@pytest.mark.anyio
async def test_async_client_retries_the_same_way(api: Any) -> None:
    api.answer(
        httpx.ConnectError("refused"),
        api.problem(503, headers={"Retry-After": "3"}),
        api.json(ARTIST_DETAIL),
    )
    policy = RetryPolicy(initial_delay=0.25, jitter=0.0)
    async with api.async_client(max_retries=2, retry_policy=policy) as client:
        artist = await client.artists.get(1)
    assert artist.id == 1
    assert api.sleeps == [0.25, 3.0]


@pytest.mark.anyio
async def test_async_post_is_not_retried_after_a_read_timeout(api: Any) -> None:
    api.answer(httpx.ReadTimeout("slow"), api.json(ARTIST, status=201))
    async with api.async_client(max_retries=3) as client:
        with pytest.raises(APITimeoutError):
            await client.artists.create(name="x")
    assert len(api.requests) == 1
