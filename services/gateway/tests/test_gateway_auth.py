"""API keys and scopes, on SQLite and PostgreSQL: keys are stored hashed, shown once, revocable;
every write operation (enumerated from the OpenAPI document) refuses a missing key and a
read-only key."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from soundstream_testing import wait_until

GatewayFactory = Callable[..., TestClient]
KeyMaker = Callable[..., str]


@pytest.fixture
def gateway_on_backend(gateway_factory: GatewayFactory, database_url: str) -> TestClient:
    return gateway_factory(database_url=database_url)


def _rows(database_url: str) -> list[dict[str, Any]]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(text("SELECT * FROM api_keys"))]
    finally:
        engine.dispose()


def test_a_key_is_shown_once_and_stored_only_as_a_keyed_hash(
    gateway_on_backend: TestClient, database_url: str, admin: dict[str, str]
) -> None:
    created = gateway_on_backend.post(
        "/v1/keys", json={"name": "analyst", "scopes": ["read", "write"]}, headers=admin
    )
    assert created.status_code == 201
    body = created.json()
    key = body["key"]
    assert re.fullmatch(r"ss_[0-9a-f]{16}_[A-Za-z0-9_-]{43}", key)
    assert key.startswith(f"ss_{body['id']}_")
    assert body["scopes"] == ["read", "write"]
    assert body["created_at"].endswith(("Z", "+00:00"))

    (row,) = _rows(database_url)
    stored = " ".join(str(value) for value in row.values())
    assert key not in stored
    assert key.split("_")[-1] not in stored
    expected = hmac.new(b"soundstream-gateway", key.encode(), hashlib.sha256).hexdigest()
    assert row["secret_hash"] == expected

    listed = gateway_on_backend.get("/v1/keys", headers=admin).json()
    assert [k["id"] for k in listed] == [body["id"]]
    assert "key" not in listed[0]


def test_keys_work_in_either_header_until_revoked(
    gateway_on_backend: TestClient, admin: dict[str, str], make_key: KeyMaker
) -> None:
    key = make_key(gateway_on_backend, "write")
    key_id = key.split("_")[1]
    for headers in ({"X-API-Key": key}, {"Authorization": f"Bearer {key}"}):
        assert gateway_on_backend.post("/v1/tags", json={"value": "x"}, headers=headers).is_success

    assert gateway_on_backend.delete(f"/v1/keys/{key_id}", headers=admin).status_code == 204
    refused = gateway_on_backend.post("/v1/tags", json={"value": "x"}, headers={"X-API-Key": key})
    assert refused.status_code == 401
    assert refused.headers["content-type"] == "application/problem+json"
    # An invalid key is refused even where no key is needed.
    assert gateway_on_backend.get("/v1/tags/1", headers={"X-API-Key": key}).status_code == 401
    again = gateway_on_backend.delete(f"/v1/keys/{key_id}", headers=admin)
    assert again.status_code == 404
    listed = gateway_on_backend.get("/v1/keys", headers=admin).json()
    assert listed[0]["revoked_at"] is not None


def test_wrong_and_forged_keys_are_401(gateway: TestClient, make_key: KeyMaker) -> None:
    key = make_key(gateway, "admin")
    forged = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
    for bad in (forged, "nonsense", "ss_", "ss_zz_zz", key + "x"):
        response = gateway.get("/v1/keys", headers={"X-API-Key": bad})
        assert response.status_code == 401, bad


def test_key_management_needs_admin(gateway: TestClient, make_key: KeyMaker) -> None:
    writer = {"X-API-Key": make_key(gateway, "write")}
    assert gateway.get("/v1/keys").status_code == 401
    assert gateway.get("/v1/keys", headers=writer).status_code == 403
    made = gateway.post("/v1/keys", json={"name": "x"}, headers=writer)
    assert made.status_code == 403
    admin_key = {"X-API-Key": make_key(gateway, "admin")}
    assert gateway.get("/v1/keys", headers=admin_key).status_code == 200


def test_bad_key_requests_are_422(gateway: TestClient, admin: dict[str, str]) -> None:
    for body in ({"name": ""}, {"name": "x", "scopes": ["root"]}, {"name": "x", "scopes": []}):
        response = gateway.post("/v1/keys", json=body, headers=admin)
        assert response.status_code == 422, body
    assert gateway.get("/v1/keys", headers=admin).json() == []


def test_public_reads_can_be_switched_off(
    gateway_factory: GatewayFactory, make_key: KeyMaker
) -> None:
    gateway = gateway_factory(public_reads=False)
    assert gateway.get("/v1/artists/1").status_code == 401
    reader = {"X-API-Key": make_key(gateway, "read")}
    assert gateway.get("/v1/artists/1", headers=reader).status_code == 200


def _write_operations(spec: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(method, path, scope) of every operation the document says needs write or admin
    (key management's GETs included)."""
    found = []
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            scope = operation.get("x-required-scope")
            if scope in ("write", "admin"):
                found.append((method, path, scope))
    return found


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


@pytest.fixture
def read_only_gateway(gateway: TestClient, make_key: KeyMaker) -> tuple[TestClient, dict[str, str]]:
    return gateway, {"X-API-Key": make_key(gateway, "read")}


def test_every_write_operation_refuses_missing_and_read_only_keys(
    read_only_gateway: tuple[TestClient, dict[str, str]], upstreams: Any
) -> None:
    gateway, reader = read_only_gateway
    spec = gateway.get("/openapi.json").json()
    writes = _write_operations(spec)
    # Every operation that is not a GET is a write, but for the documented read-only POSTs.
    non_gets = {
        (m, p)
        for p, ms in spec["paths"].items()
        for m, op in ms.items()
        if m != "get" and op.get("x-required-scope") != "read"
    }
    assert non_gets <= {(m, p) for m, p, _ in writes}
    assert len(writes) >= 20
    assert ("post", "/v1/models/retrain", "admin") in writes
    for method, path, _scope in writes:
        url = _concrete(path)
        missing = gateway.request(method.upper(), url)
        assert missing.status_code == 401, (method, path, missing.text)
        assert missing.headers["content-type"] == "application/problem+json"
        read_only = gateway.request(method.upper(), url, headers=reader)
        assert read_only.status_code == 403, (method, path, read_only.text)
    assert all(r.method == "GET" for fake in upstreams.all() for r in fake.requests)


def test_read_only_posts_are_documented_as_reads(gateway: TestClient) -> None:
    spec = gateway.get("/openapi.json").json()
    reads = {
        (m, p)
        for p, ms in spec["paths"].items()
        for m, op in ms.items()
        if m != "get" and op.get("x-required-scope") == "read"
    }
    assert reads == {("post", "/v1/recommendations")}


def test_keys_never_reach_the_logs(
    gateway_factory: GatewayFactory, tmp_path: Path, make_key: KeyMaker
) -> None:
    log_dir = tmp_path / "logs"
    gateway = gateway_factory(log_dir=log_dir, log_level="DEBUG")
    key = make_key(gateway, "write")
    secret = key.split("_", 2)[2]
    gateway.post("/v1/tags", json={"value": "x"}, headers={"X-API-Key": key})
    gateway.get("/v1/tags/1", headers={"Authorization": f"Bearer {key}"})
    gateway.get("/v1/tags/1", headers={"X-API-Key": key + "wrong"})
    gateway.get("/v1/keys", headers={"X-API-Key": "ss_bootstrap_" + "k" * 40})
    logs = written_logs(log_dir, containing="/v1/tags/1")
    assert "/v1/tags/1" in logs  # the access log was written (in its next batch)
    assert key.split("_")[1] in logs  # with the key's public id as the client
    assert secret not in logs
    assert "k" * 40 not in logs


def written_logs(log_dir: Path, *, containing: str, timeout: float = 5.0) -> str:
    """Every log file's text, once ``containing`` is in it (access lines come in batches)."""

    def logs() -> str:
        return "".join(p.read_text() for p in log_dir.glob("*.log"))

    return wait_until(
        lambda: logs() if containing in logs() else None,
        timeout=timeout,
        what=f"{containing!r} in the logs",
    )


def test_a_wrong_key_on_any_public_read_is_a_401(gateway: TestClient, upstreams: Any) -> None:
    """A user who sends a key learns it is wrong, even where no key is needed; cached
    answers included."""
    spec = gateway.get("/openapi.json").json()
    reads = [
        path
        for path, methods in spec["paths"].items()
        if path.startswith("/v1/") and methods.get("get", {}).get("x-required-scope") == "read"
    ]
    assert len(reads) >= 25
    for path in reads:
        url = _concrete(path)
        gateway.get(url)  # anonymous: possibly cached now
        for headers in (
            {"X-API-Key": "garbage"},
            {"X-API-Key": ""},
            {"Authorization": "Bearer ss_x_y"},
            {"Authorization": "Basic dXNlcjpwYXNz"},
            {"Authorization": "ss_x_y"},
        ):
            answer = gateway.get(url, headers=headers)
            assert answer.status_code == 401, (path, headers, answer.text)
            assert answer.json()["type"].endswith("/authentication-required")
