"""Routes of the gateway from the upstream operations: one typed route per operation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gateway.naming import NAMED_OPERATIONS, Naming
from gateway.upstream.source import (
    HEADER,
    TypeWriter,
    constraints,
    docstring,
    kwargs,
    py,
    python_name,
)

# Operations the gateway does not expose: health probes and internal endpoints.
INTERNAL_TAGS = {"health", "events", "export"}
# Operations the gateway answers itself (an enriched version of the upstream's).
REPLACED_OPERATIONS = {"recommendations-for-user", "users-profile"}
# GETs whose answers change from one second to the next: never cached.
UNCACHED_OPERATIONS = {
    "models-pipeline",
    "models-current",
    "models-list",
    "jobs-graphs",
    "jobs-graph",
    "jobs-export",
    "jobs-runs",
    "jobs-run",
}
# POSTs that compute an answer without changing anything: a read, not a write.
READ_ONLY_POSTS = {"recommendations-cold-start"}
# Operations only administrators may call.
ADMIN_OPERATIONS = {"models-retrain", "jobs-start"}


@dataclass
class Operation:
    service: str
    method: str
    path: str
    raw: dict[str, Any]

    @property
    def operation_id(self) -> str:
        return str(self.raw["operationId"])

    @property
    def tag(self) -> str:
        return str(self.raw["tags"][0])

    @property
    def name(self) -> str:
        return self.operation_id[len(self.tag) + 1 :]

    @property
    def naming_key(self) -> tuple[str, str]:
        return (self.service, self.operation_id)

    @property
    def naming(self) -> Naming | None:
        """Where the operation's answer lists artists (named by the gateway)."""
        return NAMED_OPERATIONS.get(self.naming_key)

    @property
    def scope(self) -> str:
        if self.operation_id in ADMIN_OPERATIONS:
            return "admin"
        if self.method == "get" or self.operation_id in READ_ONLY_POSTS:
            return "read"
        return "write"


def exposed_operations(spec: dict[str, Any]) -> list[Operation]:
    service = str(spec["info"]["title"]).split()[-1].lower()
    found = []
    for path, methods in spec["paths"].items():
        for method, raw in methods.items():
            operation = Operation(service, method, path, raw)
            if operation.tag in INTERNAL_TAGS or operation.operation_id in REPLACED_OPERATIONS:
                continue
            found.append(operation)
    return found


def _response_type(operation: Operation, types: TypeWriter) -> tuple[int, str | None]:
    for code in sorted(c for c in operation.raw["responses"] if c.startswith("2")):
        content = operation.raw["responses"][code].get("content", {})
        schema = content.get("application/json", {}).get("schema")
        return int(code), (types.expr(schema) if schema else None)
    return 200, None


def _parameter(param: dict[str, Any], types: TypeWriter) -> tuple[bool, str]:
    """(has a default, the parameter's source line)."""
    schema = param.get("schema", {})
    kind = "Path" if param["in"] == "path" else "Query"
    attr = python_name(param["name"])
    args: dict[str, Any] = {}
    if attr != param["name"]:
        args["alias"] = param["name"]
    args.update(constraints(schema))
    description = param.get("description") or schema.get("description")
    if description:
        args["description"] = description
    examples = param.get("examples") or schema.get("examples")
    if examples:
        args["examples"] = examples if isinstance(examples, list) else list(examples.values())
    annotation = types.expr(schema)
    line = f"{attr}: Annotated[{annotation}, {kind}({kwargs(args)})]"
    if param.get("required"):
        return False, line
    default = schema.get("default")
    if "$ref" in schema and default is not None:
        member = python_name(str(default)) if str(default).isidentifier() else f"v_{default}"
        return True, f"{line} = {annotation}.{member}"
    return True, f"{line} = {default!r}"


def _other_media(operation: Operation, status_code: int) -> list[str]:
    """The media types of a success answer that is not JSON (none for a JSON answer)."""
    content = operation.raw["responses"].get(str(status_code), {}).get("content", {})
    if "application/json" in content:
        return []
    return sorted(content)


def _error_responses(operation: Operation) -> list[int]:
    return sorted(
        int(code)
        for code in operation.raw["responses"]
        if code[0] in "45" and code not in ("422", "503")
    )


def routed_path(operation: Operation, paths: list[str]) -> str:
    """The operation's path, an integer parameter written ``{name:int}`` where another path
    has a literal segment in its place (``/users/{user_id}/friends/{friend_id}`` beside
    ``/users/{user_id}/friends/artists``): the literal then never reaches this route."""
    segments = operation.path.split("/")
    integers = {
        p["name"]
        for p in operation.raw.get("parameters", [])
        if p["in"] == "path" and p.get("schema", {}).get("type") == "integer"
    }
    for index, segment in enumerate(segments):
        name = segment[1:-1]
        if name not in integers:
            continue
        for other in paths:
            others = other.split("/")
            literal = len(others) == len(segments) and not others[index].startswith("{")
            if (
                literal
                and others[:index] + others[index + 1 :] == segments[:index] + segments[index + 1 :]
            ):
                segments[index] = f"{{{name}:int}}"
                break
    return "/".join(segments)


def render_route(operation: Operation, types: TypeWriter, paths: list[str]) -> str:
    status_code, response = _response_type(operation, types)
    raw = operation.raw
    decorator = [f'@router.{operation.method}(\n    "/v1{routed_path(operation, paths)}",\n']
    decorator.append(f"    name={operation.name!r},\n")
    if response is not None:
        decorator.append(f"    response_model={response},\n")
    if status_code != 200:
        decorator.append(f"    status_code={status_code},\n")
    if raw.get("summary"):
        decorator.append(f"    summary={py(raw['summary'])},\n")
    if raw.get("description"):
        decorator.append(f"    description={py(raw['description'])},\n")
    extra_success = [c for c in raw["responses"] if c.startswith("2") and int(c) != status_code]
    responses = ", ".join(str(code) for code in _error_responses(operation))
    extra = ""
    for code in extra_success:
        content = raw["responses"][code].get("content", {}).get("application/json", {})
        model = types.expr(content["schema"]) if "schema" in content else "None"
        description = py(raw["responses"][code]["description"])
        extra += f" | {{{code}: {{'model': {model}, 'description': {description}}}}}"
    media = _other_media(operation, status_code)
    if media:
        # Not JSON (a picture, a text format): passed through with the upstream's type.
        decorator.append("    response_class=Response,\n")
        content = {kind: {} for kind in media}
        description = py(raw["responses"][str(status_code)]["description"])
        extra += f" | {{{status_code}: {{'content': {py(content)}, 'description': {description}}}}}"
    decorator.append(f"    responses=problems({responses}){extra},\n")
    decorator.append(f"    **requires({operation.scope!r}),\n)\n")
    params = [_parameter(p, types) for p in raw.get("parameters", [])]
    body = raw.get("requestBody")
    if body is not None:
        schema = body["content"]["application/json"]["schema"]
        annotation = types.expr(schema)
        line = f"body: Annotated[{annotation}, Body()]"
        params.append((True, f"{line} = None") if not body.get("required") else (False, line))
    ordered = [line for has_default, line in params if not has_default]
    ordered += [line for has_default, line in params if has_default]
    signature = ",\n    ".join(["request: Request", *ordered])
    function = f"{operation.tag.replace('-', '_')}_{operation.name.replace('-', '_')}"
    options = ""
    if operation.method == "get" and operation.operation_id in UNCACHED_OPERATIONS:
        options += ", cacheable=False"
    if operation.method != "get" and operation.operation_id in READ_ONLY_POSTS:
        options += ", read_only=True"
    if operation.naming is not None:
        options += f", naming=NAMED_OPERATIONS[{operation.naming_key!r}]"
    call = f"    return await forward(request, {operation.service.upper()}{options})\n"
    return (
        "".join(decorator)
        + f"async def {function}(\n    {signature},\n) -> Response:\n"
        + docstring(f"Forwarded to the {operation.service} service.", gap="")
        + call
    )


def render_routes(service: str, tag: str, operations: list[Operation], paths: list[str]) -> str:
    """The module of one upstream tag's routes (``paths``: every path of the upstream)."""
    types = TypeWriter(prefix="models.")
    routes = [render_route(op, types, paths) for op in operations]
    typing_names = sorted({"Annotated"} | (types.imports & {"Any", "Literal"}))
    fastapi_names = ["APIRouter", "Request", "Response"]
    source = "".join(routes)
    fastapi_names += [n for n in ("Body", "Path", "Query") if f"{n}(" in source]
    head = [
        HEADER.format(doc=f"The {service} service's `{tag}` operations under /v1.", spec=service),
        "\n# Every parameter is declared for validation and documentation; the request is\n"
        "# forwarded as it was sent once valid, so the functions do not read them.\n"
        "# ruff: noqa: ARG001\n\n",
        "from __future__ import annotations\n\n",
    ]
    if "datetime" in types.imports:
        head.append("import datetime\n")
    head.append(f"from typing import {', '.join(typing_names)}\n\n")
    head.append(f"from fastapi import {', '.join(sorted(fastapi_names))}\n")
    if "Field" in types.imports:
        head.append("from pydantic import Field\n")
    head.append("\n")
    head.append("from gateway.api.responses import problems\n")
    head.append("from gateway.auth import requires\n")
    head.append(f"from gateway.clients import {service.upper()}\n")
    head.append("from gateway.forwarding import forward\n")
    if any(op.naming is not None for op in operations):
        head.append("from gateway.naming import NAMED_OPERATIONS\n")
    head.append(f"from gateway.schemas import {service} as models\n\n")
    head.append(f'router = APIRouter(tags=["{tag}"])\n\n\n')
    return "".join(head) + "\n\n".join(routes)
