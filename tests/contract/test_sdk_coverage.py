"""The SDK covers the gateway's public API exactly: every /v1 operation of the gateway's
OpenAPI has an SDK method (same HTTP method and path), every SDK method names a real
operation, and the contract tests exercise every SDK method."""

from __future__ import annotations

import ast
from pathlib import Path

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


def covered_sdk_methods() -> set[str]:
    """The SDK methods the contract tests declare with ``@pytest.mark.covers(...)`` (which
    the ``sdk`` fixture checks they really call)."""
    exercised: set[str] = set()
    for module in Path(__file__).parent.glob("test_*.py"):
        for node in ast.walk(ast.parse(module.read_text("utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "covers"
            ):
                exercised |= {str(arg.value) for arg in node.args if isinstance(arg, ast.Constant)}
    return exercised


def test_every_sdk_operation_method_is_exercised_by_a_contract_test() -> None:
    assert covered_sdk_methods() == {op.sdk_method for op in OPERATIONS.values()}
