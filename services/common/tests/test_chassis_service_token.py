"""Internal services answer only callers holding the deployment's service token."""

from __future__ import annotations

import secrets

import pytest
from fastapi.testclient import TestClient

from soundstream_common.service_token import SERVICE_TOKEN_HEADER

from .conftest import ServiceUnderTest

TOKEN = secrets.token_hex(32)


@pytest.fixture
def guarded(service: ServiceUnderTest, sqlite_url: str) -> TestClient:
    service.migrate(sqlite_url)
    app = service.app(sqlite_url, service_token=TOKEN)
    return TestClient(app, raise_server_exceptions=False)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/probe/items?limit=1"),
        ("POST", "/probe/things"),
        ("GET", "/no/such/route"),
        ("GET", "/probe/items?limit=not-a-number&unknown=1"),
    ],
)
@pytest.mark.parametrize(
    "headers", [{}, {SERVICE_TOKEN_HEADER: "wrong"}, {SERVICE_TOKEN_HEADER: TOKEN[:-1]}]
)
def test_a_call_without_the_token_is_a_401_problem_before_anything_else(
    guarded: TestClient, method: str, path: str, headers: dict[str, str]
) -> None:
    with guarded:
        response = guarded.request(method, path, headers=headers, json={"name": "x"})

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"].endswith("/service-token-required")
    assert body["request_id"] == response.headers["x-request-id"]
    assert SERVICE_TOKEN_HEADER in body["detail"]


def test_a_call_with_the_token_is_served(guarded: TestClient) -> None:
    with guarded:
        response = guarded.get("/probe/items?limit=3", headers={SERVICE_TOKEN_HEADER: TOKEN})

    assert response.status_code == 200
    assert response.json() == {"limit": 3}


@pytest.mark.parametrize("path", ["/health", "/ready", "/openapi.json", "/docs"])
def test_health_and_the_api_description_stay_public(guarded: TestClient, path: str) -> None:
    with guarded:
        assert guarded.get(path).status_code == 200


def test_the_real_routes_are_guarded(guarded: TestClient, service: ServiceUnderTest) -> None:
    path = "/artists" if service.name == "catalog" else "/users"
    with guarded:
        refused = guarded.get(path)
        served = guarded.get(path, headers={SERVICE_TOKEN_HEADER: TOKEN})

    assert refused.status_code == 401
    assert served.status_code == 200
