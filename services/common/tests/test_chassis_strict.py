"""Every service takes only what its routes declare: an unknown or repeated query parameter,
or a NUL character anywhere, is a 422 problem naming it, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from .conftest import ServiceUnderTest


@pytest.fixture
def client(service: ServiceUnderTest, sqlite_url: str) -> Iterator[TestClient]:
    with TestClient(service.app(sqlite_url)) as client:
        yield client


def problem_fields(response: httpx.Response) -> list[list[object]]:
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    return [error["loc"] for error in response.json()["errors"]]


def test_declared_parameters_are_taken(client: TestClient) -> None:
    answer = client.get("/probe/echo", params=[("q", "x"), ("tag", "a"), ("tag", "b")])
    assert answer.json() == {"q": "x", "tag": ["a", "b"]}


def test_an_unknown_parameter_is_a_422_naming_it_and_what_is_taken(client: TestClient) -> None:
    answer = client.get("/probe/echo", params={"q": "x", "ids": "1,2"})
    assert problem_fields(answer) == [["query", "ids"]]
    assert "takes q, tag" in answer.json()["errors"][0]["msg"]


def test_a_parameter_of_a_dependency_is_declared(client: TestClient) -> None:
    assert client.get("/probe/items", params={"limit": 5}).json() == {"limit": 5}
    assert problem_fields(client.get("/probe/items", params={"limit": 5, "offset": 2})) == [
        ["query", "offset"]
    ]


def test_a_single_valued_parameter_given_twice_is_refused(client: TestClient) -> None:
    answer = client.get("/probe/echo", params=[("q", "x"), ("q", "y")])
    assert problem_fields(answer) == [["query", "q"]]


def test_nul_characters_are_refused_in_query_and_body(client: TestClient) -> None:
    assert problem_fields(client.get("/probe/echo?q=a%00b")) == [["query", "q"]]
    body = b'{"name": "a\\u0000b"}'
    sent = client.post("/probe/things", content=body, headers={"content-type": "application/json"})
    assert problem_fields(sent) == [["body"]]


def test_an_escaped_backslash_before_u0000_is_text(client: TestClient) -> None:
    body = b'{"name": "C:\\\\u0000"}'
    sent = client.post("/probe/things", content=body, headers={"content-type": "application/json"})
    assert sent.status_code == 200
    assert sent.json() == {"name": "C:\\u0000"}


def test_a_method_a_path_does_not_take_is_a_405_listing_every_one_it_takes(
    catalog_service: ServiceUnderTest, sqlite_url: str
) -> None:
    with TestClient(catalog_service.app(sqlite_url)) as client:
        answer = client.request("OPTIONS", "/tags/7")
        assert answer.status_code == 405
        assert answer.headers["allow"] == "DELETE, GET, PATCH, PUT"
        assert client.request("PATCH", "/tags").headers["allow"] == "GET, POST"
