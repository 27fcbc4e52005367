"""Typed routes forward what the client sent and return what the upstream answered."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient


def test_get_passes_path_and_query_string_untouched(gateway: TestClient, upstreams: Any) -> None:
    response = gateway.get("/v1/search/artists?tag=rock&tag=hip%20hop&match=any&limit=5")
    assert response.status_code == 200
    assert response.json()["upstream"] == "catalog"
    (seen,) = upstreams.catalog.requests
    assert (seen.method, seen.path) == ("GET", "/search/artists")
    assert seen.query == "tag=rock&tag=hip%20hop&match=any&limit=5"


def test_each_upstream_gets_its_own_routes(gateway: TestClient, upstreams: Any) -> None:
    assert gateway.get("/v1/stats/overview").json()["upstream"] == "listening"
    assert gateway.get("/v1/stats/tags/top").json()["upstream"] == "catalog"
    assert gateway.get("/v1/artists/89/similar?k=3").json()["upstream"] == "recommender"
    assert gateway.get("/v1/users/2/similar").json()["upstream"] == "recommender"
    assert upstreams.recommender.requests[0].query == "k=3"


def test_body_is_forwarded_as_sent_with_the_request_id(
    gateway: TestClient, upstreams: Any, admin: dict[str, str]
) -> None:
    body = '{"name": "Röyksopp", "url": null}'
    response = gateway.post(
        "/v1/artists",
        content=body.encode(),
        headers={**admin, "content-type": "application/json", "x-request-id": "trace-42"},
    )
    assert response.status_code == 200
    (seen,) = upstreams.catalog.requests
    assert seen.body == body.encode()
    assert seen.headers["x-request-id"] == "trace-42"
    assert seen.headers["content-type"] == "application/json"
    assert "x-api-key" not in seen.headers
    assert "authorization" not in seen.headers
    assert response.headers["x-request-id"] == "trace-42"


def test_invalid_input_is_refused_before_reaching_the_upstream(
    gateway: TestClient, upstreams: Any, admin: dict[str, str]
) -> None:
    assert gateway.get("/v1/artists?limit=0").status_code == 422
    assert gateway.get("/v1/artists/0").status_code == 422
    assert gateway.get("/v1/artists?sort=nonsense").status_code == 422
    created = gateway.post("/v1/artists", json={"name": "x", "extra": 1}, headers=admin)
    assert created.status_code == 422
    assert created.headers["content-type"] == "application/problem+json"
    assert upstreams.catalog.requests == []


def test_malformed_json_is_a_422_problem(
    gateway: TestClient, upstreams: Any, admin: dict[str, str]
) -> None:
    response = gateway.post(
        "/v1/tags",
        content=b'{"value": ',
        headers={**admin, "content-type": "application/json"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["type"] == "json_invalid"
    assert upstreams.catalog.requests == []


def test_upstream_problems_pass_through_with_their_status(
    gateway: TestClient, upstreams: Any
) -> None:
    problem = {
        "type": "https://soundstream.dev/problems/artist-not-found",
        "title": "Artist not found",
        "status": 404,
        "instance": "/artists/7",
        "artist_id": 7,
    }
    upstreams.catalog.answer(
        "GET", "/artists/7", 404, json.dumps(problem).encode(), "application/problem+json"
    )
    response = gateway.get("/v1/artists/7")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {**problem, "instance": "/v1/artists/7"}


def test_created_resources_are_located_under_v1(
    gateway: TestClient, upstreams: Any, admin: dict[str, str]
) -> None:
    upstreams.listening.answer(
        "POST", "/users", 201, b'{"id": 3}', "application/json", {"location": "/users/3"}
    )
    response = gateway.post("/v1/users", headers=admin)
    assert response.status_code == 201
    assert response.json() == {"id": 3}
    assert response.headers["location"] == "/v1/users/3"


def test_no_content_answers_stay_empty(
    gateway: TestClient, upstreams: Any, admin: dict[str, str]
) -> None:
    upstreams.listening.answer("DELETE", "/users/2/friends/3", 204, b"", "application/json")
    response = gateway.delete("/v1/users/2/friends/3", headers=admin)
    assert response.status_code == 204
    assert response.content == b""


def test_internal_upstream_operations_are_not_exposed(gateway: TestClient) -> None:
    for path in ("/v1/export/snapshot", "/v1/export/version", "/v1/events/dead-letters"):
        response = gateway.get(path)
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"


def test_unknown_routes_are_404_problems(gateway: TestClient) -> None:
    response = gateway.get("/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["status"] == 404


def test_an_accepted_retrain_points_under_v1(
    gateway: TestClient, upstreams: Any, admin: dict[str, str]
) -> None:
    accepted = b'{"run_id": "r1", "graph": "recommender.training", "status_url": "/jobs/runs/r1"}'
    upstreams.recommender.answer(
        "POST", "/models/retrain", 202, accepted, "application/json", {"location": "/jobs/runs/r1"}
    )
    response = gateway.post("/v1/models/retrain", headers=admin)
    assert response.status_code == 202
    assert response.headers["location"] == "/v1/jobs/runs/r1"
    assert response.json()["status_url"] == "/v1/jobs/runs/r1"


def test_a_path_is_forwarded_as_sent(gateway: TestClient, upstreams: Any) -> None:
    """Percent-encoded characters a URL cannot carry decoded reach the upstream encoded."""
    answer = gateway.get("/v1/jobs/graphs/RUG%23Z%F4%80%8E%B0%C2%B0%03")
    assert answer.status_code == 200, answer.text
    (sent,) = upstreams.recommender.requests
    assert sent.path.startswith("/jobs/graphs/RUG#Z")
    assert sent.path.endswith("\u00b0\x03")
