"""What every service's OpenAPI document says of errors, beyond what FastAPI writes.

- Error answers are ``application/problem+json`` (RFC 9457), not ``application/json``.
- An operation with a request body can answer 400 (a body that cannot be read at all).
- An operation naming something in its path can answer 404.

The document is also where a 405's ``Allow`` header comes from (:func:`allowed_methods`): the
router only knows the first route whose path matched, which lists one method of several.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from soundstream_common.errors import PROBLEM_JSON

JSON = "application/json"
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
ADDED = {
    "400": "The request body could not be read (problem+json).",
    "404": "What the path names does not exist (problem+json).",
}
Hook = Callable[[dict[str, Any]], None]


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_JSON: {"schema": PROBLEM_REF}}}


def document_problems(document: dict[str, Any]) -> None:
    """Rewrite ``document`` (an OpenAPI dict) as the module says."""
    for methods in document.get("paths", {}).values():
        for operation in methods.values():
            responses: dict[str, Any] = operation.setdefault("responses", {})
            for code, response in responses.items():
                content = response.get("content", {})
                if (code[0] in "45" or code == "default") and JSON in content:
                    content[PROBLEM_JSON] = content.pop(JSON)
            if "requestBody" in operation:
                responses.setdefault("400", _problem(ADDED["400"]))
            if any(p.get("in") == "path" for p in operation.get("parameters", [])):
                responses.setdefault("404", _problem(ADDED["404"]))


def finish_openapi(app: FastAPI, *hooks: Hook) -> None:
    """Have ``app.openapi()`` return FastAPI's document rewritten by
    :func:`document_problems`, then by each of ``hooks``, computed once."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            document_problems(document)
            for hook in hooks:
                hook(document)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _template(path: str) -> tuple[re.Pattern[str], int]:
    """A documented path as a pattern, and how many of its segments are literal."""
    parts = path.strip("/").split("/")
    pattern = "/".join("[^/]+" if part.startswith("{") else re.escape(part) for part in parts)
    literal = sum(not part.startswith("{") for part in parts)
    return re.compile(f"/{pattern}"), literal


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """The documented methods of the most specific documented path matching ``path``."""
    templates: list[tuple[re.Pattern[str], int, list[str]]] | None = getattr(
        app.state, "allowed_methods", None
    )
    if templates is None:
        templates = []
        for documented, methods in app.openapi().get("paths", {}).items():
            pattern, literal = _template(documented)
            templates.append((pattern, literal, sorted(m.upper() for m in methods)))
        app.state.allowed_methods = templates
    matching = [
        (literal, methods) for pattern, literal, methods in templates if pattern.fullmatch(path)
    ]
    return max(matching)[1] if matching else []
