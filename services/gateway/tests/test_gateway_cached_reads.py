"""The cached-read path answers exactly as the routed path does.

Two gateways share one Redis (so one response cache and one set of rate-limit counters) and
one key database: one as it runs, one without the cached-read path (every request routed,
validated and authenticated by the route's dependency). Any request, valid or not, with any
credentials and ``If-None-Match``, sent to both once its answer is cached, gets the same status,
body and headers (but the rate-limit counters, which move with every request); and the gateway
as it runs answered it before routing exactly when the caller may read it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.types import ASGIApp, Receive, Scope, Send

import gateway.cached_reads
import gateway.main
from gateway.forwarding import cached_answer

from .conftest import ADMIN_KEY

GatewayFactory = Callable[..., TestClient]
KeyMaker = Callable[..., str]
MOVING_HEADERS = {"ratelimit-remaining", "ratelimit-reset"}

PATHS = st.one_of(
    st.integers(-1, 4).map(lambda n: f"/v1/tags/{n}"),
    st.tuples(st.integers(1, 3), st.integers(0, 3)).map(
        lambda pair: f"/v1/tags/{pair[0]}/artists?limit={pair[1]}"
    ),
    st.integers(1, 3).map(lambda n: f"/v1/users/{n}"),
    st.sampled_from(["rock", "80s", "%00"]).map(lambda tag: f"/v1/search/artists?tag={tag}"),
    st.sampled_from(["/v1/tags/1?bogus=1", "/v1/tags/1?limit=2", "/v1/nothing/here"]),
)
CREDENTIALS = st.sampled_from(["admin", "reader", "forged", "none", "basic", "empty", "bearer"])
IF_NONE_MATCH = st.sampled_from([None, "held", '"other"', "*"])


class RoutedOnly:
    """Stands in for the cached-read middleware: every request goes on to routing."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


@pytest.fixture
def edge_answers(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths the cached-read path answered, in order."""
    answered: list[str] = []

    def counting(request: Any, entry: Any) -> Any:
        answered.append(request.url.path)
        return cached_answer(request, entry)

    monkeypatch.setattr(gateway.cached_reads, "cached_answer", counting)
    return answered


def comparable(response: httpx.Response) -> tuple[int, bytes, dict[str, str]]:
    headers = {k: v for k, v in response.headers.items() if k not in MOVING_HEADERS}
    return response.status_code, response.content, headers


@pytest.mark.parametrize("public_reads", [True, False])
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(path=PATHS, credentials=CREDENTIALS, if_none_match=IF_NONE_MATCH)
def test_cached_reads_answer_as_the_routed_path(
    gateway_factory: GatewayFactory,
    make_key: KeyMaker,
    monkeypatch: pytest.MonkeyPatch,
    edge_answers: list[str],
    public_reads: bool,
    path: str,
    credentials: str,
    if_none_match: str | None,
) -> None:
    running, routed, reader = gateways(gateway_factory, make_key, monkeypatch, public_reads)
    admin = {"X-API-Key": ADMIN_KEY}
    primed = routed.get(path, headers=admin)
    running.get(path, headers=admin)  # this process now knows the route (if any)
    headers = {
        "admin": admin,
        "reader": {"X-API-Key": reader},
        "forged": {"X-API-Key": "ss_x_forged"},
        "none": {},
        "basic": {"Authorization": "Basic dXNlcjpwdw=="},
        "empty": {"X-API-Key": ""},
        "bearer": {"Authorization": f"Bearer {reader}"},
    }[credentials]
    if if_none_match is not None:
        held = primed.headers.get("etag", '"none"')
        headers = {**headers, "If-None-Match": held if if_none_match == "held" else if_none_match}
    headers = {**headers, "X-Request-ID": "equivalence"}  # problems name it in their body
    edge_answers.clear()
    expected = routed.get(path, headers=headers)
    answered = running.get(path, headers=headers)
    assert comparable(answered) == comparable(expected)
    may_read = credentials in ("admin", "reader", "bearer") or (
        credentials == "none" and public_reads
    )
    assert bool(edge_answers) == (primed.status_code == 200 and may_read)


_GATEWAYS: dict[tuple[int, bool], tuple[TestClient, TestClient, str]] = {}


def gateways(
    factory: GatewayFactory, make_key: KeyMaker, monkeypatch: pytest.MonkeyPatch, public: bool
) -> tuple[TestClient, TestClient, str]:
    """The gateway as it runs, the routed-only one and a read key: made once per test (the
    fixtures are per test, the examples many)."""
    made = _GATEWAYS.get((id(factory), public))
    if made is None:
        limits = {"rate_limit_anonymous": 100_000, "rate_limit_read": 100_000}
        running = factory(public_reads=public, **limits)
        with monkeypatch.context() as patched:
            patched.setattr(gateway.main, "CachedReadMiddleware", RoutedOnly)
            routed = factory(public_reads=public, **limits)
        made = _GATEWAYS[(id(factory), public)] = (running, routed, make_key(running, "read"))
    return made


def test_a_refused_caller_is_counted_once(
    gateway_factory: GatewayFactory, edge_answers: list[str]
) -> None:
    gateway = gateway_factory(rate_limit_anonymous=3)
    assert gateway.get("/v1/tags/1").status_code == 200  # routed, then cached
    held = gateway.get("/v1/tags/1")
    assert edge_answers == ["/v1/tags/1"]
    assert held.headers["ratelimit-remaining"] == "1"
    assert gateway.get("/v1/tags/1", headers={"X-API-Key": "ss_x_forged"}).status_code == 401
    limited = gateway.get("/v1/tags/1")
    assert limited.status_code == 429
    assert limited.headers["content-type"] == "application/problem+json"
    assert limited.headers["ratelimit-remaining"] == "0"
    assert edge_answers == ["/v1/tags/1"]
