"""Generate the gateway's typed upstream routes and models from the upstream OpenAPI documents.

The catalog, listening, recommender and analytics services publish OpenAPI documents; copies live in
``gateway/upstream/specs/``. From them this module writes:

- ``gateway/schemas/<service>.py``: a Pydantic model (or enum) per upstream schema;
- ``gateway/api/<service>_<tag>.py``: one typed route per public upstream operation under
  ``/v1`` with the same path, parameters (with their constraints, descriptions and examples),
  request body and response model, forwarding the validated request to the upstream.

Regenerate after an upstream change (tests fail while the copies or the code are stale)::

    uv run --frozen python -m gateway.upstream.codegen --refresh-specs

``--refresh-specs`` imports the upstream applications to read their live documents, so it only
works inside the workspace; the gateway itself never imports them.
"""

from __future__ import annotations

import argparse
import copy
import importlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from gateway.naming import USER_FIELDS
from gateway.upstream.routegen import Operation, exposed_operations, render_routes
from gateway.upstream.source import (
    HEADER,
    TypeWriter,
    class_name,
    constraints,
    dependencies,
    docstring,
    kwargs,
    python_name,
)
from soundstream_common.settings import ENVIRONMENT_VARIABLE

PACKAGE_DIR = Path(__file__).resolve().parent.parent
SPECS_DIR = PACKAGE_DIR / "upstream" / "specs"
UPSTREAMS = ("catalog", "listening", "recommender", "analytics")

# Chassis documents every service shares; the gateway has its own.
SHARED_SCHEMAS = {"Problem", "FieldError", "Liveness", "Readiness", "CheckResult"}


def load_spec(service: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SPECS_DIR / f"{service}.json").read_text("utf-8"))
    return data


@contextmanager
def development_mode() -> Iterator[None]:
    """The process's environment set to development while the block runs: an application
    built only to read its OpenAPI document asks for no secret."""
    before = os.environ.get(ENVIRONMENT_VARIABLE)
    os.environ[ENVIRONMENT_VARIABLE] = "development"
    try:
        yield
    finally:
        if before is None:
            del os.environ[ENVIRONMENT_VARIABLE]
        else:
            os.environ[ENVIRONMENT_VARIABLE] = before


def live_spec(service: str) -> dict[str, Any]:
    """The OpenAPI document of the upstream application itself (workspace only), built in
    :func:`development_mode`."""
    module = importlib.import_module(f"{service}.main")
    with development_mode():
        spec: dict[str, Any] = module.create_app().openapi()
    return spec


def dump_spec(spec: dict[str, Any]) -> str:
    return json.dumps(spec, indent=1, ensure_ascii=False) + "\n"


# --- models ------------------------------------------------------------------------------------


def ordered_schemas(schemas: dict[str, Any]) -> list[str]:
    """Schema names with every schema after the ones it refers to."""
    done: list[str] = []

    def visit(name: str) -> None:
        if name in done or name in SHARED_SCHEMAS:
            return
        for dependency in sorted(dependencies(schemas[name])):
            if dependency != name:
                visit(dependency)
        done.append(name)

    for name in sorted(schemas):
        visit(name)
    return done


def render_model(name: str, schema: dict[str, Any], types: TypeWriter) -> str:
    cls = class_name(name)
    if "enum" in schema:
        members = "".join(
            f"    {python_name(str(v)) if str(v).isidentifier() else 'v_' + python_name(str(v))}"
            f" = {v!r}\n"
            for v in schema["enum"]
        )
        doc = docstring(schema.get("description"), gap="")
        return f"class {cls}(StrEnum):\n{doc}{members}"
    required = set(schema.get("required", []))
    config: dict[str, Any] = {}
    if schema.get("additionalProperties") is False:
        config["extra"] = "forbid"
    if "examples" in schema:
        config["json_schema_extra"] = {"examples": schema["examples"]}
    lines = [f"class {cls}(BaseModel):\n", docstring(schema.get("description"))]
    if config:
        lines.append(f"    model_config = ConfigDict({kwargs(config)})\n\n")
    properties: dict[str, Any] = schema.get("properties", {})
    for prop, prop_schema in properties.items():
        attr = python_name(prop)
        args: dict[str, Any] = {}
        if prop not in required:
            if "default" not in prop_schema and prop_schema.get("type") == "array":
                args["default_factory"] = "list"  # an omitted list is an empty one
            else:
                args["default"] = prop_schema.get("default")
        if attr != prop:
            args["alias"] = prop
        args.update(constraints(prop_schema))
        for key in ("description", "examples"):
            if key in prop_schema:
                args[key] = prop_schema[key]
        annotation = types.expr(prop_schema)
        if annotation == "bool":
            # true or false only: lax parsing would take 0, 1 or "yes" in a request body
            annotation = "StrictBool"
        if "default" in args and isinstance(args["default"], list | dict):
            args["default_factory"] = "list" if isinstance(args.pop("default"), list) else "dict"
        field = kwargs(args)
        if prop not in required and "default" not in prop_schema and not _nullable(prop_schema):
            # May be left out, never null (soundstream_common.fields.omitted_not_null).
            annotation += " | None"
            field += ", json_schema_extra=omitted_not_null"
        lines.append(f"    {attr}: {annotation} = Field({field})\n")
    if not properties:
        lines.append("    pass\n")
    return "".join(lines)


def _nullable(schema: dict[str, Any]) -> bool:
    return schema.get("type") in ("null", "array") or any(
        variant.get("type") == "null" for variant in schema.get("anyOf", [])
    )


def render_models(service: str, spec: dict[str, Any]) -> str:
    schemas: dict[str, Any] = spec["components"]["schemas"]
    types = TypeWriter()
    names = ordered_schemas(_used_schemas(spec))
    bodies = [render_model(name, schemas[name], types) for name in names]
    typing_names = sorted(types.imports & {"Annotated", "Any", "Literal"})
    head = [HEADER.format(doc=f"Models of the {service} service's API.", spec=service), "\n"]
    head.append("from __future__ import annotations\n\n")
    if "datetime" in types.imports:
        head.append("import datetime\n")
    if any("StrEnum" in body for body in bodies):
        head.append("from enum import StrEnum\n")
    if typing_names:
        head.append(f"from typing import {', '.join(typing_names)}\n")
    head.append("\nfrom pydantic import BaseModel, ConfigDict, Field, StrictBool\n")
    if any("omitted_not_null" in body for body in bodies):
        head.append("\nfrom soundstream_common.fields import omitted_not_null\n")
    head.append("\n\n")
    return "".join(head) + "\n\n".join(bodies)


def _used_schemas(spec: dict[str, Any]) -> dict[str, Any]:
    """The schemas reachable from the exposed operations (internal ones left out)."""
    schemas: dict[str, Any] = spec["components"]["schemas"]
    pending = set()
    for operation in exposed_operations(spec):
        pending |= dependencies(operation.raw)
    used: dict[str, Any] = {}
    while pending:
        name = pending.pop()
        if name in used or name in SHARED_SCHEMAS:
            continue
        used[name] = schemas[name]
        pending |= dependencies(schemas[name])
    return used


NAME_PROPERTY = {
    "anyOf": [{"type": "string"}, {"type": "null"}],
    "title": "Name",
    "description": "The artist's name, from the catalog (null when it no longer has the artist).",
}


USER_PROPERTIES = {
    field: {
        "anyOf": [{"type": "integer"}, {"type": "null"}],
        "title": field.title(),
        "description": description + " (null when the listening service no longer has the user).",
    }
    for field, description in (
        ("plays", "The user's total plays"),
        ("artists", "Distinct artists the user listens to"),
        ("friends", "The user's number of friends"),
    )
}


def _resolved(schema: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = schemas[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def with_names(spec: dict[str, Any]) -> dict[str, Any]:
    """``spec`` with a ``name`` on every object that lists an artist the gateway names
    (:data:`gateway.naming.NAMED_OPERATIONS`)."""
    spec = copy.deepcopy(spec)
    schemas: dict[str, Any] = spec["components"]["schemas"]
    for operation in exposed_operations(spec):
        naming = operation.naming
        if naming is None:
            continue
        code = min(c for c in operation.raw["responses"] if c.startswith("2"))
        content = operation.raw["responses"][code]["content"]["application/json"]
        listed = _resolved(content["schema"], schemas)
        if naming.listed is not None:
            listed = _resolved(listed["properties"][naming.listed]["items"], schemas)
        if naming.users:
            for field in USER_FIELDS:
                listed["properties"].setdefault(field, USER_PROPERTIES[field])
        else:
            listed["properties"].setdefault("name", NAME_PROPERTY)
    return spec


def module_name(service: str, tag: str) -> str:
    return f"{service}_{tag.replace('-', '_')}"


def generated_files(specs: dict[str, dict[str, Any]]) -> dict[Path, str]:
    """Every generated file (relative to the package directory) and its unformatted text."""
    files: dict[Path, str] = {}
    modules: list[str] = []
    for service in UPSTREAMS:
        spec = with_names(specs[service])
        files[Path("schemas") / f"{service}.py"] = render_models(service, spec)
        by_tag: dict[str, list[Operation]] = {}
        exposed = exposed_operations(spec)
        for operation in exposed:
            by_tag.setdefault(operation.tag, []).append(operation)
        paths = sorted({operation.path for operation in exposed})
        for tag, operations in by_tag.items():
            name = module_name(service, tag)
            modules.append(name)
            files[Path("api") / f"{name}.py"] = render_routes(service, tag, operations, paths)
    index = HEADER.format(doc="The generated upstream routers.", spec="*") + "\n"
    index += "from fastapi import APIRouter\n\n"
    index += f"from gateway.api import {', '.join(modules)}\n\n"
    index += "UPSTREAM_ROUTERS: tuple[APIRouter, ...] = (\n"
    index += "".join(f"    {name}.router,\n" for name in modules) + ")\n"
    files[Path("api") / "upstream.py"] = index
    return files


def format_sources(directory: Path) -> None:
    """ruff format + import sorting, with the repository's configuration wherever ``directory``
    is."""
    config = PACKAGE_DIR.parents[3] / "pyproject.toml"
    settings = ["--config", str(config)] if config.is_file() else []
    for args in (["check", "--select", "I,F401", "--fix", "--quiet"], ["format", "--quiet"]):
        subprocess.run([sys.executable, "-m", "ruff", *args, *settings, str(directory)], check=True)


def write(target: Path, specs: dict[str, dict[str, Any]]) -> list[Path]:
    written = []
    for relative, text in generated_files(specs).items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--refresh-specs",
        action="store_true",
        help="First copy the live upstream OpenAPI documents into upstream/specs/.",
    )
    args = parser.parse_args(argv)
    if args.refresh_specs:
        for service in UPSTREAMS:
            (SPECS_DIR / f"{service}.json").write_text(dump_spec(live_spec(service)), "utf-8")
    specs = {service: load_spec(service) for service in UPSTREAMS}
    for path in write(PACKAGE_DIR, specs):
        print(path.relative_to(PACKAGE_DIR.parent))
    format_sources(PACKAGE_DIR / "api")
    format_sources(PACKAGE_DIR / "schemas")


if __name__ == "__main__":
    main()
