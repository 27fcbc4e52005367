"""The catalog's OpenAPI document: every endpoint named, summarised and typed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from catalog.config import Settings
from catalog.main import create_app

KEY = "/tag-assignments/{user_id}/{artist_id}/{tag_id}/{timestamp_ms}"
EXPECTED = {
    ("GET", "/artists"): "artists-list",
    ("POST", "/artists"): "artists-create",
    ("GET", "/artists/{artist_id}"): "artists-get",
    ("PATCH", "/artists/{artist_id}"): "artists-update",
    ("PUT", "/artists/{artist_id}"): "artists-replace",
    ("DELETE", "/artists/{artist_id}"): "artists-delete",
    ("GET", "/artists/{artist_id}/tags"): "artists-tags",
    ("GET", "/tags"): "tags-list",
    ("POST", "/tags"): "tags-create",
    ("GET", "/tags/{tag_id}"): "tags-get",
    ("PATCH", "/tags/{tag_id}"): "tags-update",
    ("PUT", "/tags/{tag_id}"): "tags-replace",
    ("DELETE", "/tags/{tag_id}"): "tags-delete",
    ("GET", "/tags/{tag_id}/artists"): "tags-artists",
    ("GET", "/tags/{tag_id}/timeline"): "tags-timeline",
    ("GET", "/tags/{tag_id}/similar"): "tags-similar",
    ("GET", "/tag-assignments"): "tag-assignments-list",
    ("POST", "/tag-assignments"): "tag-assignments-create",
    (
        "GET",
        "/tag-assignments/{user_id}/{artist_id}/{tag_id}/{timestamp_ms}",
    ): "tag-assignments-get",
    (
        "DELETE",
        "/tag-assignments/{user_id}/{artist_id}/{tag_id}/{timestamp_ms}",
    ): "tag-assignments-delete",
    ("GET", "/search/artists"): "search-artists",
    ("GET", "/stats/tags/top"): "stats-top-tags",
    ("GET", "/stats/tags/dominance"): "stats-dominance",
    ("GET", "/stats/timeline"): "stats-timeline",
    ("GET", "/export/snapshot"): "export-snapshot",
    ("GET", "/events/dead-letters"): "events-dead_letters",
}


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    db = Path(tmp_path_factory.mktemp("openapi")) / "catalog.db"
    settings = Settings(database_url=f"sqlite:///{db}", redis_url="", log_json=False)
    document: dict[str, Any] = create_app(settings).openapi()
    return document


def operations(spec: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method.upper(), path): operation
        for path, methods in spec["paths"].items()
        for method, operation in methods.items()
        if not path.startswith(("/health", "/ready"))
    }


def test_every_endpoint_has_its_operation_id(spec: dict[str, Any]) -> None:
    assert {key: op["operationId"] for key, op in operations(spec).items()} == EXPECTED


@pytest.mark.parametrize("key", sorted(EXPECTED), ids=lambda key: " ".join(key))
def test_every_endpoint_is_documented_and_typed(spec: dict[str, Any], key: tuple[str, str]) -> None:
    operation = operations(spec)[key]
    assert operation.get("summary")
    assert "422" in operation["responses"]
    success = next(code for code in operation["responses"] if code.startswith("2"))
    content = operation["responses"][success].get("content", {})
    if "application/x-ndjson" in content:
        assert "NDJSON" in operation["description"]  # a stream: its lines are described
    elif success != "204":
        assert "schema" in content["application/json"]
    if "{" in key[1] and key[1] != "/events/dead-letters":
        assert "404" in operation["responses"]


def test_request_bodies_carry_examples(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    for name in ("ArtistCreate", "ArtistUpdate", "TagCreate", "TagUpdate", "TagAssignmentCreate"):
        assert schemas[name].get("examples"), name
