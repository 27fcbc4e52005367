"""Forwarded headers: believed only from the proxies the settings name (none by default).

The gateway runs here under uvicorn with the options every service runs with
(``soundstream_common.app.server_options``): uvicorn's own default trusted ``X-Forwarded-For``
from loopback, so a client on the host could rotate it and escape its rate limit.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from gateway.config import Settings
from gateway.main import create_app
from soundstream_common.app import server_options
from soundstream_testing import wait_until
from soundstream_testing.stack import free_port

from .conftest import ADMIN_KEY, FakeUpstreams, migrated

Served = Callable[..., Any]


@pytest.fixture
def served_gateway(tmp_path: Path, redis_url: str, upstreams: FakeUpstreams) -> Served:
    """``served_gateway(**settings)``: a context manager yielding the base URL of a gateway
    served by uvicorn the way ``gateway-api`` serves it."""

    @contextmanager
    def serve(**overrides: Any) -> Iterator[str]:
        database_url = migrated(f"sqlite:///{tmp_path / 'gateway.db'}")
        settings = Settings(
            host="127.0.0.1",
            port=free_port(),
            database_url=database_url,
            redis_url=redis_url,
            catalog_url=upstreams.catalog.url,
            listening_url=upstreams.listening.url,
            recommender_url=upstreams.recommender.url,
            admin_api_key=ADMIN_KEY,
            log_json=True,
            **overrides,
        )
        options = server_options(settings) | {"workers": 1}
        server = uvicorn.Server(uvicorn.Config(create_app(settings), **options))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()

        def started() -> bool:
            assert thread.is_alive(), "the gateway's server stopped while starting"
            return server.started

        wait_until(started, timeout=30, what="the gateway to start", poll=0.02)
        try:
            yield f"http://127.0.0.1:{settings.port}"
        finally:
            server.should_exit = True
            thread.join(timeout=30)

    return serve


def rotating_forwarded_for(base_url: str, requests: int) -> list[int]:
    """Statuses of anonymous reads, each claiming another client address."""
    with httpx.Client(base_url=base_url, timeout=10) as client:
        return [
            client.get("/v1/tags/1", headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code
            for i in range(1, requests + 1)
        ]


def test_x_forwarded_for_from_an_untrusted_client_does_not_escape_the_rate_limit(
    served_gateway: Served,
) -> None:
    with served_gateway(rate_limit_anonymous=2, response_cache=False) as url:
        statuses = rotating_forwarded_for(url, 4)

    assert statuses == [200, 200, 429, 429]


def test_a_trusted_proxy_forwards_the_real_client_and_the_limit_keys_on_it(
    served_gateway: Served,
) -> None:
    with served_gateway(
        rate_limit_anonymous=2, response_cache=False, trusted_proxies=["127.0.0.1"]
    ) as url:
        distinct_clients = rotating_forwarded_for(url, 4)
        with httpx.Client(base_url=url, timeout=10) as client:
            same_client = [
                client.get("/v1/tags/1", headers={"X-Forwarded-For": "198.51.100.7"}).status_code
                for _ in range(3)
            ]

    assert distinct_clients == [200, 200, 200, 200]
    assert same_client == [200, 200, 429]


def test_no_proxy_is_trusted_by_default() -> None:
    assert Settings().trusted_proxies == []
    assert server_options(Settings())["proxy_headers"] is False
