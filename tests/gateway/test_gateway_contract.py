"""The gateway against the real services on the real HetRec data (``soundstream-admin dev``).

Every public GET answers through the gateway exactly what its upstream answers; writes,
keys, scopes and the aggregated views work end to end.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from gateway.upstream import codegen, routegen
from soundstream_testing.stack import LiveStack

# Path and required query values that name real rows of the HetRec data.
SAMPLE_PATH = {
    "artist_id": 89,
    "tag_id": 24,
    "user_id": 2,
    "graph": "recommender.training",
    "run_id": "no-such-run",
    "name": "tag_trend",
    "report_id": 1,
}
SAMPLE_QUERY = {"tag": "pop"}


@pytest.fixture(scope="module")
def admin(live_stack: LiveStack) -> Iterator[httpx.Client]:
    headers = {"X-API-Key": live_stack.admin_key}
    with httpx.Client(base_url=live_stack.url("gateway"), headers=headers, timeout=30) as c:
        yield c


@pytest.fixture(scope="module")
def anonymous(live_stack: LiveStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_stack.url("gateway"), timeout=30) as client:
        yield client


def _get_operations() -> list[tuple[str, str]]:
    found = []
    for service in codegen.UPSTREAMS:
        for operation in routegen.exposed_operations(codegen.load_spec(service)):
            if operation.method == "get":
                found.append((service, operation.path))
    return found


def _sample(path: str, assignment: dict[str, Any]) -> str:
    values = {**SAMPLE_PATH, **assignment}
    return re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), path)


def _comparable(response: httpx.Response) -> Any:
    kind = response.headers.get("content-type", "")
    if kind.startswith("application/problem+json"):
        body = response.json()
        return {k: v for k, v in body.items() if k not in ("instance", "request_id")}
    if not kind.startswith("application/json"):
        return (kind, response.content)  # a picture: the same bytes, the same type
    return response.json()


def test_every_public_get_answers_what_its_upstream_answers(
    live_stack: LiveStack, admin: httpx.Client
) -> None:
    with httpx.Client(timeout=30, headers=live_stack.service_headers) as direct:
        assignments = direct.get(
            live_stack.url("catalog", "/tag-assignments"), params={"user_id": 2, "limit": 1}
        ).json()["items"]
        checked = 0
        for service, path in _get_operations():
            concrete = _sample(path, assignments[0])
            upstream = direct.get(live_stack.url(service, concrete), params=SAMPLE_QUERY)
            through = admin.get("/v1" + concrete, params=SAMPLE_QUERY)
            assert through.status_code == upstream.status_code, (path, through.text)
            assert _comparable(through) == _comparable(upstream), path
            checked += 1
    assert checked >= 30


def test_an_artist_round_trip_through_the_gateway(admin: httpx.Client) -> None:
    created = admin.post("/v1/artists", json={"name": "Gateway Contract Band"})
    assert created.status_code == 201, created.text
    artist_id = created.json()["id"]
    assert created.headers["location"] == f"/v1/artists/{artist_id}"
    assert admin.get(f"/v1/artists/{artist_id}").json()["name"] == "Gateway Contract Band"
    patched = admin.patch(f"/v1/artists/{artist_id}", json={"url": "http://example.org/band"})
    assert patched.status_code == 200
    # The gateway's cache never shows its own stale answer after a write it forwarded.
    assert admin.get(f"/v1/artists/{artist_id}").json()["url"] == "http://example.org/band"
    assert admin.delete(f"/v1/artists/{artist_id}").status_code == 204
    gone = admin.get(f"/v1/artists/{artist_id}")
    assert gone.status_code == 404
    assert gone.json()["instance"] == f"/v1/artists/{artist_id}"


def test_keys_and_scopes_end_to_end(admin: httpx.Client, anonymous: httpx.Client) -> None:
    made = admin.post("/v1/keys", json={"name": "contract-writer", "scopes": ["write"]})
    assert made.status_code == 201
    key = made.json()["key"]
    writer = {"Authorization": f"Bearer {key}"}
    assert anonymous.post("/v1/tags", json={"value": "gw-contract"}).status_code == 401
    created = anonymous.post("/v1/tags", json={"value": "gw-contract"}, headers=writer)
    assert created.status_code == 201, created.text
    tag_id = created.json()["id"]
    assert anonymous.post("/v1/models/retrain", headers=writer).status_code == 403
    assert anonymous.get("/v1/keys", headers=writer).status_code == 403
    assert admin.delete(f"/v1/keys/{made.json()['id']}").status_code == 204
    refused = anonymous.delete(f"/v1/tags/{tag_id}", headers=writer)
    assert refused.status_code == 401
    assert admin.delete(f"/v1/tags/{tag_id}").status_code == 204


def test_bad_input_is_refused_with_problems(admin: httpx.Client) -> None:
    malformed = admin.post(
        "/v1/artists", content=b'{"name": ', headers={"content-type": "application/json"}
    )
    assert malformed.status_code == 422
    assert malformed.headers["content-type"] == "application/problem+json"
    huge = admin.post("/v1/artists", json={"name": "x" * 2_000_000})
    assert huge.status_code == 413
    assert admin.get("/v1/artists", params={"limit": 1000}).status_code == 422


def test_the_aggregated_views_on_real_data(admin: httpx.Client) -> None:
    recommendations = admin.get("/v1/recommendations/users/2", params={"k": 5})
    assert recommendations.status_code == 200, recommendations.text
    items = recommendations.json()["items"]
    assert len(items) == 5
    assert all(item["name"] and item["url"] for item in items)
    assert any(item["top_tags"] for item in items)

    profile = admin.get("/v1/users/2/profile").json()
    assert profile["user"]["id"] == 2
    assert profile["top_artists"][0]["name"] == "Duran Duran"
    assert profile["friend_count"] == len(profile["friends"]) > 0
    assert profile["recommendations"]["items"]

    page = admin.get("/v1/artists/89/page").json()
    assert page["artist"]["name"] == "Lady Gaga"
    assert page["listeners"] == 611
    assert page["top_tags"][0]["value"] == "pop"
    # Before a model is published the recommender may have no similar artists to give.
    if page["unavailable"]:
        assert (page["unavailable"], page["similar"]) == (["recommender"], None)
    else:
        assert all(artist["name"] for artist in page["similar"])


def test_the_edge_headers_and_health(live_stack: LiveStack, anonymous: httpx.Client) -> None:
    answer = anonymous.get("/v1/stats/overview")
    assert answer.status_code == 200
    for header in ("ratelimit-limit", "ratelimit-remaining", "ratelimit-reset", "etag"):
        assert header in answer.headers
    assert answer.json()["users"] == 1892
    assert (
        anonymous.get(
            "/v1/stats/overview", headers={"If-None-Match": answer.headers["etag"]}
        ).status_code
        == 304
    )
    ready = anonymous.get("/ready").json()
    assert ready["status"] == "ready", ready
    assert anonymous.get("/metrics").status_code == 401  # Prometheus holds the metrics token
    token = {"Authorization": f"Bearer {live_stack.metrics_token}"}
    assert "gateway_requests_total" in anonymous.get("/metrics", headers=token).text
