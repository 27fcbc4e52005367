"""Every error a client can meet is an RFC 9457 ``application/problem+json`` body."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from soundstream_common.errors import PROBLEM_BASE, PROBLEM_JSON

from .conftest import ServiceUnderTest

GENERATED_ID = re.compile(r"^[0-9a-f]{32}$")


@pytest.fixture
def client(service: ServiceUnderTest, sqlite_url: str) -> Iterator[TestClient]:
    with TestClient(service.app(sqlite_url), raise_server_exceptions=False) as client:
        yield client


def assert_problem(response: Response, status: int, slug: str, path: str) -> dict[str, object]:
    """The common shape of every problem body; returns the body for further checks."""
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM_JSON
    body: dict[str, object] = response.json()
    assert body["type"] == PROBLEM_BASE + slug
    assert body["status"] == status
    assert isinstance(body["title"], str)
    assert body["title"]
    assert body["instance"] == path
    assert body["request_id"] == response.headers["x-request-id"]
    return body


def test_domain_error_becomes_a_problem_with_its_extra_members(client: TestClient) -> None:
    body = assert_problem(client.get("/probe/artists/42"), 404, "not-found", "/probe/artists/42")

    assert body["title"] == "Not Found"
    assert body["detail"] == "Artist 42 does not exist."
    assert body["artist_id"] == 42


def test_domain_error_subclass_sets_status_slug_and_title(client: TestClient) -> None:
    body = assert_problem(client.get("/probe/quota"), 429, "quota-exceeded", "/probe/quota")

    assert body["title"] == "Quota exceeded"
    assert body["detail"] == "100 requests per minute."


def test_invalid_input_is_422_with_one_entry_per_field(client: TestClient) -> None:
    response = client.get("/probe/items", params={"limit": "many"})

    body = assert_problem(response, 422, "validation-error", "/probe/items")
    assert body["errors"] == [
        {
            "loc": ["query", "limit"],
            "msg": "Input should be a valid integer, unable to parse string as an integer",
            "type": "int_parsing",
        }
    ]

    missing = assert_problem(client.get("/probe/items"), 422, "validation-error", "/probe/items")
    assert missing["errors"] == [
        {"loc": ["query", "limit"], "msg": "Field required", "type": "missing"}
    ]

    out_of_range = client.get("/probe/items", params={"limit": 1000}).json()
    assert [e["type"] for e in out_of_range["errors"]] == ["less_than_equal"]


def test_unknown_route_is_404_problem(client: TestClient) -> None:
    assert_problem(client.get("/no/such/route"), 404, "not-found", "/no/such/route")


def test_wrong_method_is_405_problem_naming_the_allowed_methods(client: TestClient) -> None:
    response = client.post("/health")

    assert_problem(response, 405, "method-not-allowed", "/health")
    assert response.headers["allow"] == "GET"


def test_unexpected_error_is_500_problem_without_internals(client: TestClient) -> None:
    response = client.get("/probe/boom", headers={"X-Request-ID": "incident-7"})

    body = assert_problem(response, 500, "internal-error", "/probe/boom")
    assert body["request_id"] == "incident-7"
    assert "Traceback" not in response.text
    assert "hunter2" not in response.text
    assert "RuntimeError" not in response.text


def test_valid_incoming_request_id_is_echoed(client: TestClient) -> None:
    request_id = "gateway-1f3a.b7:c_9"

    ok = client.get("/health", headers={"X-Request-ID": request_id})
    problem = client.get("/probe/artists/1", headers={"X-Request-ID": request_id})

    assert ok.headers["x-request-id"] == request_id
    assert problem.headers["x-request-id"] == request_id
    assert problem.json()["request_id"] == request_id


@pytest.mark.parametrize(
    "incoming",
    [None, b"", b"has spaces", b"semi;colon", b"x" * 129, "naïve".encode("latin-1")],
)
def test_missing_or_invalid_request_id_is_replaced(
    client: TestClient, incoming: bytes | None
) -> None:
    headers = {} if incoming is None else {"X-Request-ID": incoming}

    first = client.get("/probe/artists/1", headers=headers)
    second = client.get("/probe/artists/1", headers=headers)

    assert GENERATED_ID.match(first.headers["x-request-id"])
    assert first.json()["request_id"] == first.headers["x-request-id"]
    assert first.headers["x-request-id"] != second.headers["x-request-id"]
