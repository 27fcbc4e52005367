"""Fixtures for the gateway tests: real HTTP upstreams (small uvicorn apps on free ports whose
behaviour each test sets), a real Redis, and the gateway itself over a migrated database."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI, Request, Response
from fastapi.testclient import TestClient

from gateway.config import Settings
from gateway.db import MIGRATIONS
from gateway.main import create_app
from soundstream_common.db import create_db_engine
from soundstream_testing import wait_until
from soundstream_testing.stack import free_port

ADMIN_KEY = "ss_bootstrap_" + "k" * 40
METRICS_TOKEN = "test-metrics-token-0123456789abcdef"  # the test modules send it as METRICS


@pytest.fixture
def closed_url() -> str:
    """A loopback URL where nothing listens (connections are refused)."""
    return f"http://127.0.0.1:{free_port()}"


@dataclass
class Recorded:
    method: str
    path: str
    query: str
    body: bytes
    headers: dict[str, str]


@dataclass
class FakeUpstream:
    """An HTTP server that records every request and answers as the test says.

    By default it echoes the request as JSON. ``answers`` maps ``(method, path)`` to
    ``(status, content type, body)``; ``delay`` holds every answer back that many seconds.
    """

    name: str
    port: int = field(default_factory=free_port)
    requests: list[Recorded] = field(default_factory=list)
    answers: dict[tuple[str, str], tuple[int, str, bytes, dict[str, str]]] = field(
        default_factory=dict
    )
    delay: float = 0.0
    server: uvicorn.Server | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def reset(self) -> None:
        self.requests.clear()
        self.answers.clear()
        self.delay = 0.0

    def answer(
        self,
        method: str,
        path: str,
        status: int,
        body: bytes,
        media: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.answers[(method, path)] = (status, media, body, headers or {})

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.api_route("/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
        async def anything(request: Request, path: str) -> Response:
            recorded = Recorded(
                method=request.method,
                path="/" + path,
                query=request.url.query,
                body=await request.body(),
                headers={k.lower(): v for k, v in request.headers.items()},
            )
            self.requests.append(recorded)
            if self.delay:
                await asyncio.sleep(self.delay)
            scripted = self.answers.get((request.method, recorded.path))
            if scripted is not None:
                status, media, body, headers = scripted
                return Response(body, status_code=status, media_type=media, headers=headers)
            echo = {
                "upstream": self.name,
                "method": recorded.method,
                "path": recorded.path,
                "query": recorded.query,
            }
            return Response(json.dumps(echo).encode(), media_type="application/json")

        return app

    def start(self) -> None:
        config = uvicorn.Config(
            self.app(), host="127.0.0.1", port=self.port, log_config=None, lifespan="off"
        )
        self.server = server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        wait_until(lambda: server.started, timeout=10, what=f"fake {self.name} to start", poll=0.01)

    def stop(self) -> None:
        if self.server is not None:
            self.server.should_exit = True


@dataclass
class FakeUpstreams:
    catalog: FakeUpstream
    listening: FakeUpstream
    recommender: FakeUpstream

    def all(self) -> list[FakeUpstream]:
        return [self.catalog, self.listening, self.recommender]


@pytest.fixture(scope="session")
def fake_upstreams() -> Iterator[FakeUpstreams]:
    fakes = FakeUpstreams(
        FakeUpstream("catalog"), FakeUpstream("listening"), FakeUpstream("recommender")
    )
    for fake in fakes.all():
        fake.start()
    yield fakes
    for fake in fakes.all():
        fake.stop()


@pytest.fixture
def upstreams(fake_upstreams: FakeUpstreams) -> Iterator[FakeUpstreams]:
    """The fake upstreams, reset for this test."""
    for fake in fake_upstreams.all():
        fake.reset()
    yield fake_upstreams
    for fake in fake_upstreams.all():
        fake.reset()


def migrated(url: str) -> str:
    engine = create_db_engine(url)
    try:
        MIGRATIONS.upgrade(engine)
    finally:
        engine.dispose()
    return url


GatewayFactory = Callable[..., TestClient]


@pytest.fixture
def gateway_factory(
    tmp_path: Path, redis_url: str, upstreams: FakeUpstreams
) -> Iterator[GatewayFactory]:
    """Start a gateway (settings overridable) over the fake upstreams; stopped afterwards."""
    stack = ExitStack()

    def make(**overrides: Any) -> TestClient:
        values: dict[str, Any] = {
            "data_dir": tmp_path,
            "database_url": f"sqlite:///{tmp_path / 'gateway.db'}",
            "redis_url": redis_url,
            "catalog_url": upstreams.catalog.url,
            "listening_url": upstreams.listening.url,
            "recommender_url": upstreams.recommender.url,
            "admin_api_key": ADMIN_KEY,
            "metrics_token": METRICS_TOKEN,
            "log_json": True,
        }
        values.update(overrides)
        migrated(values["database_url"])
        client = TestClient(create_app(Settings(**values)), raise_server_exceptions=False)
        return stack.enter_context(client)

    yield make
    stack.close()


@pytest.fixture
def gateway(gateway_factory: GatewayFactory) -> TestClient:
    return gateway_factory()


@pytest.fixture
def admin() -> dict[str, str]:
    """Headers carrying the bootstrap admin key."""
    return {"X-API-Key": ADMIN_KEY}


KeyMaker = Callable[..., str]


@pytest.fixture
def make_key(admin: dict[str, str]) -> KeyMaker:
    """``make_key(client, "read", ...)``: a new key with those scopes, made through the API."""

    def make(client: TestClient, *scopes: str, name: str = "test") -> str:
        response = client.post(
            "/v1/keys", json={"name": name, "scopes": list(scopes)}, headers=admin
        )
        assert response.status_code == 201, response.text
        key: str = response.json()["key"]
        return key

    return make
