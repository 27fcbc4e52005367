"""Configuration: arguments, environment, headers, timeouts, with_options, closing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from soundstream import AsyncSoundStream, RetryPolicy, ServerError, SoundStream, __version__

OVERVIEW = {
    "users": 1892,
    "listens": 92834,
    "artists": 17632,
    "artists_with_listens": 17632,
    "friendships": 12717,
    "friendship_rows": 25434,
    "plays": 69,
    "dataset_version": 1,
}


def test_environment_supplies_base_url_and_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOUNDSTREAM_BASE_URL", "http://gateway.example:9000/")
    monkeypatch.setenv("SOUNDSTREAM_API_KEY", "sk-env")
    with SoundStream() as client:
        assert client.base_url == "http://gateway.example:9000"
        assert client.api_key == "sk-env"
    with SoundStream(base_url="http://arg.example", api_key="sk-arg") as client:
        assert (client.base_url, client.api_key) == ("http://arg.example", "sk-arg")


def test_defaults_without_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOUNDSTREAM_BASE_URL", raising=False)
    monkeypatch.delenv("SOUNDSTREAM_API_KEY", raising=False)
    with SoundStream() as client:
        assert client.base_url == "http://127.0.0.1:8000"
        assert client.api_key is None
        assert client.max_retries == 2
        assert client.timeout == 10.0


def test_requests_carry_key_user_agent_and_json_accept(api: Any) -> None:
    api.answer(api.json(OVERVIEW))
    api.client(api_key="sk-secret").stats.overview()
    sent = api.requests[0]
    assert sent.url == "http://api.test/v1/stats/overview"
    assert sent.headers["X-API-Key"] == "sk-secret"
    assert sent.headers["User-Agent"] == f"soundstream-python/{__version__}"
    assert sent.headers["Accept"] == "application/json"


def test_no_key_header_without_a_key(api: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOUNDSTREAM_API_KEY", raising=False)
    api.answer(api.json(OVERVIEW))
    api.client().stats.overview()
    assert "X-API-Key" not in api.requests[0].headers


def test_timeout_is_set_on_each_request(api: Any) -> None:
    api.answer(api.json(OVERVIEW))
    api.client(timeout=3.5).stats.overview()
    assert api.requests[0].extensions["timeout"] == {
        "connect": 3.5,
        "read": 3.5,
        "write": 3.5,
        "pool": 3.5,
    }


def test_with_options_overrides_per_call_and_leaves_the_original(api: Any) -> None:
    api.answer(api.problem(503))
    client = api.client(timeout=10.0, max_retries=3, api_key="sk-a")
    quick = client.with_options(timeout=2.0, max_retries=0, default_headers={"X-Trace": "1"})

    with pytest.raises(ServerError):
        quick.stats.overview()
    assert len(api.requests) == 1
    assert api.requests[0].extensions["timeout"]["read"] == 2.0
    assert api.requests[0].headers["X-Trace"] == "1"
    assert api.requests[0].headers["X-API-Key"] == "sk-a"

    with pytest.raises(ServerError):
        client.stats.overview()
    assert len(api.requests) == 1 + 4
    assert api.requests[-1].extensions["timeout"]["read"] == 10.0
    assert "X-Trace" not in api.requests[-1].headers
    assert (client.timeout, client.max_retries) == (10.0, 3)


def test_with_options_shares_the_pool_and_closing_the_copy_keeps_it_open() -> None:
    http = httpx.Client(transport=httpx.MockTransport(lambda _: httpx.Response(200, json={})))
    client = SoundStream(http_client=http)
    copy = client.with_options(api_key="other", retry_policy=RetryPolicy(initial_delay=0.1))
    assert copy._http is client._http
    copy.close()
    assert not http.is_closed
    http.close()


def test_context_manager_closes_the_pool_it_created() -> None:
    with SoundStream(base_url="http://x.test") as client:
        pool = client._http
    assert pool.is_closed


def test_a_pool_passed_in_stays_open() -> None:
    http = httpx.Client()
    with SoundStream(http_client=http):
        pass
    assert not http.is_closed
    http.close()


def test_negative_max_retries_is_refused() -> None:
    with pytest.raises(ValueError, match="max_retries"):
        SoundStream(max_retries=-1)


@pytest.mark.anyio
async def test_async_client_configuration_matches(
    api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOUNDSTREAM_API_KEY", "sk-env")
    api.answer(api.json(OVERVIEW))
    async with api.async_client(timeout=4.0) as client:
        quick = client.with_options(timeout=1.0)
        overview = await quick.stats.overview()
    assert overview.users == 1892
    assert api.requests[0].headers["X-API-Key"] == "sk-env"
    assert api.requests[0].extensions["timeout"]["read"] == 1.0
    async with AsyncSoundStream(base_url="http://x.test") as own:
        pool = own._http
    assert pool.is_closed


def test_with_options_can_point_at_another_gateway(api: Any) -> None:
    api.answer(api.json(OVERVIEW))
    other = api.client().with_options(base_url="http://other.test/", api_key="sk-other")
    other.stats.overview()
    assert api.requests[0].url == "http://other.test/v1/stats/overview"
    assert api.requests[0].headers["X-API-Key"] == "sk-other"
