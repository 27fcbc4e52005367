"""The SDK covers the gateway's public API exactly: every /v1 operation of the gateway's
OpenAPI has an SDK method (same HTTP method and path), and every SDK method names a real
operation."""

from __future__ import annotations

import httpx

from soundstream._operations import OPERATIONS


def gateway_operations(gateway_url: str) -> dict[str, tuple[str, str]]:
    spec = httpx.get(gateway_url + "/openapi.json", timeout=10.0).raise_for_status().json()
    return {
        operation["operationId"]: (method.upper(), path)
        for path, item in spec["paths"].items()
        if path.startswith("/v1/")
        for method, operation in item.items()
    }


def test_every_gateway_operation_has_an_sdk_method(gateway_url: str) -> None:
    published = gateway_operations(gateway_url)
    missing = sorted(set(published) - set(OPERATIONS))
    assert not missing, f"gateway operations without an SDK method: {missing}"


def test_every_sdk_method_names_a_gateway_operation_with_its_method_and_path(
    gateway_url: str,
) -> None:
    published = gateway_operations(gateway_url)
    unknown = sorted(set(OPERATIONS) - set(published))
    assert not unknown, f"SDK operations the gateway does not publish: {unknown}"
    different = {
        operation_id: ((op.method, op.path), published[operation_id])
        for operation_id, op in OPERATIONS.items()
        if (op.method, op.path) != published[operation_id]
    }
    assert not different, f"SDK (method, path) differs from the gateway's: {different}"
