"""Fixtures of the SDK contract tests: SDK clients pointed at the live gateway.

Each contract test declares the SDK methods it exercises with ``@pytest.mark.covers(...)``;
the ``sdk`` fixture records the requests the client really sent and, at the end of the test,
checks that every declared method's operation (HTTP method and path template) was among them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from soundstream import AsyncSoundStream, SoundStream
from soundstream._operations import OPERATIONS
from soundstream_testing.stack import LiveStack

OPERATION_BY_METHOD = {op.sdk_method: op for op in OPERATIONS.values()}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "covers(*sdk_methods): the SDK methods a contract test calls (checked)"
    )


def path_pattern(template: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\\{[a-z_]+\\\}", "[^/]+", re.escape(template)) + "$")


class SentRequests:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def record(self, request: httpx.Request) -> None:
        self.sent.append((request.method, request.url.path))

    def missing(self, sdk_methods: frozenset[str]) -> list[str]:
        absent = []
        for sdk_method in sorted(sdk_methods):
            operation = OPERATION_BY_METHOD[sdk_method]
            pattern = path_pattern(operation.path)
            if not any(m == operation.method and pattern.match(p) for m, p in self.sent):
                absent.append(sdk_method)
        return absent


@pytest.fixture
def sent_requests(request: pytest.FixtureRequest) -> Iterator[SentRequests]:
    recorder = SentRequests()
    yield recorder
    marker = request.node.get_closest_marker("covers")
    declared = frozenset(marker.args if marker else ())
    unknown = declared - set(OPERATION_BY_METHOD)
    assert not unknown, f"not SDK operation methods: {sorted(unknown)}"
    missing = recorder.missing(declared)
    assert not missing, f"declared but never requested: {missing}"


@pytest.fixture
def gateway_url(trained_stack: LiveStack) -> str:
    """The live gateway, once the stack serves a trained model."""
    return trained_stack.url("gateway")


@pytest.fixture
def sdk(
    trained_stack: LiveStack, gateway_url: str, sent_requests: SentRequests
) -> Iterator[SoundStream]:
    """A client with the admin key (every scope) whose requests are recorded."""
    http = httpx.Client(event_hooks={"request": [sent_requests.record]})
    with (
        http,
        SoundStream(
            base_url=gateway_url, api_key=trained_stack.admin_key, http_client=http
        ) as client,
    ):
        yield client


@pytest.fixture
def async_sdk(trained_stack: LiveStack, gateway_url: str) -> AsyncSoundStream:
    """An async client with the admin key (use it with ``async with``)."""
    return AsyncSoundStream(base_url=gateway_url, api_key=trained_stack.admin_key)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
