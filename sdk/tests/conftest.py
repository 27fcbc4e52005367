"""Fixtures of the SDK's unit tests.

``api`` is a scripted API behind an ``httpx.MockTransport``: ``api.answer(...)`` queues the
answers (the last one repeats), ``api.client()`` / ``api.async_client()`` build clients over
it, ``api.requests`` records what they sent and ``api.sleeps`` the delays they would have
slept (nothing really sleeps; jitter is off unless a test passes ``random=``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from soundstream import AsyncSoundStream, SoundStream

BASE_URL = "http://api.test"

Answer = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


def problem_body(status: int, title: str = "Error", **extra: Any) -> dict[str, Any]:
    return {"type": "https://soundstream.dev/problems/x", "title": title, "status": status} | extra


class MockAPI:
    def __init__(self) -> None:
        self.answers: list[Answer] = [httpx.Response(200, json={})]
        self.requests: list[httpx.Request] = []
        self.sleeps: list[float] = []
        self._closers: list[Callable[[], Any]] = []

    def answer(self, *answers: Answer) -> None:
        self.answers = list(answers)

    def json(self, body: Any, status: int = 200, **headers: str) -> httpx.Response:
        return httpx.Response(status, json=body, headers=headers)

    def problem(
        self, status: int, headers: dict[str, str] | None = None, **fields: Any
    ) -> httpx.Response:
        return httpx.Response(
            status,
            json=problem_body(status, **fields),
            headers={"Content-Type": "application/problem+json", **(headers or {})},
        )

    def handle(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, httpx.Response):
            # A fresh copy each time: one answer may serve several requests and clients.
            return httpx.Response(
                answer.status_code, headers=answer.headers, content=answer.content
            )
        return answer(request)

    def _sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    async def _async_sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def client(self, **options: Any) -> SoundStream:
        options.setdefault("base_url", BASE_URL)
        options.setdefault("sleep", self._sleep)
        options.setdefault("random", lambda: 0.0)
        http = httpx.Client(transport=httpx.MockTransport(self.handle))
        self._closers.append(http.close)
        return SoundStream(http_client=http, **options)

    def async_client(self, **options: Any) -> AsyncSoundStream:
        options.setdefault("base_url", BASE_URL)
        options.setdefault("sleep", self._async_sleep)
        options.setdefault("random", lambda: 0.0)
        http = httpx.AsyncClient(transport=httpx.MockTransport(self.handle))
        return AsyncSoundStream(http_client=http, **options)

    def close(self) -> None:
        for close in self._closers:
            close()


@pytest.fixture
def api() -> Iterator[MockAPI]:
    mock = MockAPI()
    yield mock
    mock.close()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
