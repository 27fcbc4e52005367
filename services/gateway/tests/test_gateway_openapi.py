"""The gateway's typed routes stay faithful to the upstream services' OpenAPI documents.

The upstream documents are committed under ``gateway/upstream/specs`` and the routes and
models are generated from them: these tests fail when a copy drifts from its live application,
when the generated code is stale, or when a gateway operation differs from its upstream one.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from gateway.main import create_app
from gateway.upstream import codegen, routegen, source

EXPOSED_UPSTREAM_OPERATIONS = 67  # every public catalog, listening, recommender, analytics one


@pytest.fixture(scope="module")
def gateway_spec(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from gateway.config import Settings

    settings = Settings(data_dir=tmp_path_factory.mktemp("spec"), redis_url="")
    spec: dict[str, Any] = create_app(settings).openapi()
    return spec


@pytest.mark.parametrize("service", codegen.UPSTREAMS)
def test_committed_upstream_documents_match_the_live_applications(
    service: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOUNDSTREAM_DATA_DIR", str(tmp_path))
    live = json.loads(codegen.dump_spec(codegen.live_spec(service)))
    assert codegen.load_spec(service) == live, (
        f"the {service} API changed: run `python -m gateway.upstream.codegen --refresh-specs`"
    )


def test_generated_routes_and_models_are_current(tmp_path: Path) -> None:
    specs = {service: codegen.load_spec(service) for service in codegen.UPSTREAMS}
    written = codegen.write(tmp_path, specs)
    codegen.format_sources(tmp_path)
    stale = [
        str(path.relative_to(tmp_path))
        for path in written
        if path.read_text() != (codegen.PACKAGE_DIR / path.relative_to(tmp_path)).read_text()
    ]
    assert stale == [], "stale generated code: run `python -m gateway.upstream.codegen`"


def _operations(spec: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, Any]]]:
    return {
        op["operationId"]: (method, path, op)
        for path, methods in spec["paths"].items()
        for method, op in methods.items()
    }


def _schema_name(schema: dict[str, Any] | None) -> str | None:
    """The schema as JSON without titles, references named by the gateway's class names."""
    if not schema:
        return None

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k != "title"}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    text = json.dumps(strip(schema), sort_keys=True)
    return re.sub(r"#/components/schemas/(\w+)", lambda m: source.class_name(m.group(1)), text)


def _parameters(op: dict[str, Any]) -> dict[tuple[str, str], tuple[bool, Any, Any]]:
    found = {}
    for param in op.get("parameters", []):
        schema = {k: v for k, v in param["schema"].items() if k != "title"}
        found[(param["name"], param["in"])] = (param["required"], schema, param.get("description"))
    return found


def _body(op: dict[str, Any]) -> tuple[bool, str | None] | None:
    body = op.get("requestBody")
    if body is None:
        return None
    return bool(body.get("required")), _schema_name(body["content"]["application/json"]["schema"])


def test_every_public_upstream_operation_is_a_typed_gateway_operation(
    gateway_spec: dict[str, Any],
) -> None:
    gateway_ops = _operations(gateway_spec)
    checked = 0
    for service in codegen.UPSTREAMS:
        upstream = codegen.load_spec(service)
        for operation in routegen.exposed_operations(upstream):
            method, path, op = gateway_ops[operation.operation_id]
            assert (method, path) == (operation.method, "/v1" + operation.path)
            upstream_op = operation.raw
            mine = _parameters(op)
            assert {k: v for k, v in mine.items() if k[1] != "header"} == _parameters(upstream_op)
            assert _body(op) == _body(upstream_op)
            for code, answer in upstream_op["responses"].items():
                if code.startswith("2"):
                    schema = answer.get("content", {}).get("application/json", {}).get("schema")
                    got = op["responses"][code].get("content", {})
                    assert _schema_name(got.get("application/json", {}).get("schema")) == (
                        _schema_name(schema)
                    ), operation.operation_id
                else:
                    assert code in op["responses"], (operation.operation_id, code)
            assert op.get("summary") == upstream_op.get("summary")
            checked += 1
    assert checked == EXPOSED_UPSTREAM_OPERATIONS


def test_enriched_operations_take_the_upstream_parameters(gateway_spec: dict[str, Any]) -> None:
    gateway_ops = _operations(gateway_spec)
    for service in codegen.UPSTREAMS:
        for path, methods in codegen.load_spec(service)["paths"].items():
            for method, op in methods.items():
                if op["operationId"] in routegen.REPLACED_OPERATIONS:
                    mine_method, mine_path, mine = gateway_ops[op["operationId"]]
                    assert (mine_method, mine_path) == (method, "/v1" + path)
                    assert {k[0]: v[0] for k, v in _parameters(mine).items()} == {
                        k[0]: v[0] for k, v in _parameters(op).items()
                    }


def test_upstream_schemas_are_reproduced_field_for_field(gateway_spec: dict[str, Any]) -> None:
    """Field for field, plus the ``name`` of each artist the gateway names."""
    mine = gateway_spec["components"]["schemas"]
    for service in codegen.UPSTREAMS:
        upstream = codegen.with_names(codegen.load_spec(service))["components"]["schemas"]
        for name in codegen.ordered_schemas(codegen._used_schemas(codegen.load_spec(service))):
            ours = mine[source.class_name(name)]
            theirs = upstream[name]
            if "enum" in theirs:
                assert ours["enum"] == theirs["enum"], name
                continue
            assert list(ours.get("properties", {})) == list(theirs.get("properties", {})), name
            assert set(ours.get("required", [])) == set(theirs.get("required", [])), name
            for prop, schema in theirs.get("properties", {}).items():
                theirs_clean = {k: v for k, v in schema.items() if k != "title"}
                ours_clean = {k: v for k, v in ours["properties"][prop].items() if k != "title"}
                assert (
                    json.loads(json.dumps(ours_clean).replace(source.class_name(name), name)).keys()
                    == theirs_clean.keys()
                ), (name, prop)


def test_operation_ids_are_tag_dash_name_and_unique(gateway_spec: dict[str, Any]) -> None:
    ids = []
    for methods in gateway_spec["paths"].values():
        for op in methods.values():
            ids.append(op["operationId"])
            assert op["operationId"].startswith(op["tags"][0] + "-")
            assert op.get("summary"), op["operationId"]
    assert len(ids) == len(set(ids))
    gateway_own = {"users-profile", "artists-page", "recommendations-for-user"}
    assert gateway_own | {"keys-create", "keys-list", "keys-revoke"} <= set(ids)


def test_every_v1_operation_documents_auth_and_failures(gateway_spec: dict[str, Any]) -> None:
    schemes = gateway_spec["components"]["securitySchemes"]
    assert schemes["APIKeyHeader"] == {
        "type": "apiKey",
        "description": "An API key (`ss_<id>_<secret>`).",
        "in": "header",
        "name": "X-API-Key",
    }
    assert schemes["HTTPBearer"]["scheme"] == "bearer"
    for path, methods in gateway_spec["paths"].items():
        if not path.startswith("/v1"):
            continue
        for op in methods.values():
            assert op["x-required-scope"] in ("read", "write", "admin")
            assert {"APIKeyHeader": []} in op["security"]
            for status in ("401", "403", "422", "429", "503", "504"):
                assert status in op["responses"], (op["operationId"], status)


def test_docs_redoc_and_the_document_are_served(gateway: TestClient) -> None:
    assert "swagger-ui" in gateway.get("/docs").text
    assert "redoc" in gateway.get("/redoc").text.lower()
    spec = gateway.get("/openapi.json").json()
    assert spec["info"]["title"] == "SoundStream API"
    create = spec["components"]["schemas"]["ArtistCreate"]
    assert create["examples"][0]["name"] == "Röyksopp"
    artist_id = spec["paths"]["/v1/artists/{artist_id}"]["get"]["parameters"][0]
    assert artist_id["schema"]["examples"] == [89]


def test_every_answer_listing_artists_documents_their_names(
    gateway_spec: dict[str, Any],
) -> None:
    schemas = gateway_spec["components"]["schemas"]
    for model in ("TopArtist", "ListenRead", "FriendArtist", "ArtistNeighbour", "FeedbackRead"):
        assert "name" in schemas[model]["properties"], model
    assert "name" in schemas["RecommendedArtist"]["properties"]
    assert "name" not in schemas["UserNeighbour"]["properties"]
    assert {"plays", "artists", "friends"} <= set(schemas["UserNeighbour"]["properties"])


def test_errors_are_documented_as_problem_details(gateway_spec: dict[str, Any]) -> None:
    for path, methods in gateway_spec["paths"].items():
        for method, operation in methods.items():
            for code, response in operation["responses"].items():
                if code[0] in "45":
                    assert list(response["content"]) == ["application/problem+json"], (
                        method,
                        path,
                        code,
                    )
            if "requestBody" in operation:
                assert "400" in operation["responses"], (method, path)
            if "{" in path:
                assert "404" in operation["responses"], (method, path)


def test_a_key_is_optional_on_public_reads_only(gateway_spec: dict[str, Any]) -> None:
    for methods in gateway_spec["paths"].values():
        for operation in methods.values():
            scope = operation.get("x-required-scope")
            if scope is None:
                continue
            optional = {} in operation["security"]
            assert optional == (scope == "read"), operation["operationId"]
