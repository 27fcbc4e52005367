"""Requests are taken as documented or refused: what a route does not declare is a 422.

FastAPI ignores query parameters a route does not declare, so ``?ids=1,2`` on a route without
``ids`` silently answered the whole list, and ``from``/``to`` on a route without dates the
all-time answer. Every service's application (and the gateway's) has
:func:`reject_undeclared_input` as a global dependency: a query parameter the matched route
does not declare, a single-valued one given twice, or a NUL character in a path, a query
value or a JSON body is a 422 problem naming it. (PostgreSQL cannot store NUL characters in
text; SQLite can: refusing them here makes both back ends answer the same.)
"""

from __future__ import annotations

import re
import types
import typing
from typing import Any

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

_SEQUENCES = (list, set, tuple, frozenset)
# ``\u0000`` as a JSON escape: preceded by an even number of backslashes (an odd number would
# make it the text "\u0000" itself).
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000", re.IGNORECASE)
_KNOWN = "soundstream_query_names"


def _repeatable(annotation: Any) -> bool:
    """Whether a parameter of this type takes several values (``list[str] | None``...)."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return any(_repeatable(arg) for arg in typing.get_args(annotation))
    if origin is typing.Annotated:
        return _repeatable(typing.get_args(annotation)[0])
    return origin in _SEQUENCES or annotation in _SEQUENCES


def _declared(dependant: Dependant) -> dict[str, bool]:
    """Every query parameter of a route and its dependencies: name -> takes several values."""
    names = {
        field.alias: _repeatable(field.field_info.annotation) for field in dependant.query_params
    }
    for sub in dependant.dependencies:
        names.update(_declared(sub))
    return names


def declared_query(route: APIRoute) -> dict[str, bool]:
    """The query parameters ``route`` declares (computed once per route)."""
    known: dict[str, bool] | None = route.__dict__.get(_KNOWN)
    if known is None:
        known = _declared(route.dependant)
        route.__dict__[_KNOWN] = known
    return known


def _problem(location: str, name: str, message: str, kind: str, value: Any) -> dict[str, Any]:
    return {"type": kind, "loc": (location, name), "msg": message, "input": value}


async def reject_undeclared_input(request: Request) -> None:
    """Refuse undeclared or repeated query parameters and NUL characters (see the module)."""
    errors: list[dict[str, Any]] = []
    route = request.scope.get("route")
    declared = declared_query(route) if isinstance(route, APIRoute) else None
    seen: set[str] = set()
    for name, value in request.query_params.multi_items():
        if "\x00" in value or "\x00" in name:
            errors.append(_problem("query", name, "contains a NUL character", "nul_char", value))
        if declared is None:
            continue
        if name not in declared:
            message = "unknown query parameter"
            if declared:
                message += f"; this operation takes {', '.join(sorted(declared))}"
            errors.append(_problem("query", name, message, "extra_forbidden", value))
        elif name in seen and not declared[name]:
            errors.append(_problem("query", name, "given more than once", "repeated", value))
        seen.add(name)
    for name, value in request.path_params.items():
        if isinstance(value, str) and "\x00" in value:
            errors.append(_problem("path", name, "contains a NUL character", "nul_char", value))
    if request.method in ("POST", "PUT", "PATCH") and _JSON_NUL.search(await request.body()):
        errors.append({"type": "nul_char", "loc": ("body",), "msg": "contains a NUL character"})
    if errors:
        raise RequestValidationError(errors)
