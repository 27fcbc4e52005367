"""Generate the SDK's response models from the gateway's own OpenAPI document.

As the gateway's routes come from copies of the services' documents, the SDK's types come from
a copy of the gateway's document, ``sdk/openapi.json``: a change to the public API shows as a
diff of that copy, and the types are written from it alone. This module writes
``sdk/src/soundstream/types/_generated.py``: one Pydantic model per schema the public API
answers with (and the problem details of its errors), on the SDK's base model, which keeps
fields it does not know. The models are made for reading answers: no bounds, lengths or
patterns, and enumerations are plain strings, so a newer gateway's valid answer still parses.

The SDK keeps the names its users know (:data:`SDK_NAMES`); a few helper methods
(``to_pandas()``, ...) come from hand-written mixins (:data:`MIXINS`). Regenerate after a
change to the gateway's API (tests fail while the copy or the types are stale)::

    uv run --frozen python -m gateway.upstream.sdkgen --refresh-spec

``--refresh-spec`` builds the gateway application (in development mode, so that no secret is
asked for) to read its live document; the SDK itself never imports the gateway.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gateway.upstream.codegen import PACKAGE_DIR, development_mode, dump_spec, format_sources
from gateway.upstream.source import (
    GENERATED,
    TypeWriter,
    dependencies,
    docstring,
    kwargs,
    python_name,
    ref_name,
)

SDK_DIR = PACKAGE_DIR.parents[3] / "sdk"
SPEC_PATH = SDK_DIR / "openapi.json"
TYPES_PATH = SDK_DIR / "src" / "soundstream" / "types" / "_generated.py"
COMMAND = "gateway.upstream.sdkgen"

SDK_NAMES: dict[str, str] = {
    # The SDK's name for a gateway schema, where the two differ. Schemas given one name become
    # one class, in which a field that some of them lack is optional.
    "AlgorithmRead": "AlgorithmMetrics",
    "ArtistListItem": "Artist",
    "ArtistRead": "Artist",
    "ArtistNeighbour": "Neighbour",
    "UserNeighbour": "Neighbour",
    "ColumnRead": "WarehouseColumn",
    "CorrelationRead": "Correlation",
    "EnrichedRecommendation": "RecommendedArtist",
    "EnrichedRecommendations": "Recommendations",
    "ExportRunRead": "ExportRun",
    "ExportRunTableRead": "ExportRunTable",
    "ExtractorRead": "Extractor",
    "FeedbackRead": "Feedback",
    "FriendshipRead": "Friendship",
    "GraphRead": "JobGraph",
    "KeyCreated": "APIKeyCreated",
    "KeyRead": "APIKey",
    "ListenRead": "Listen",
    "ModelRead": "Model",
    "PipelineRead": "Pipeline",
    "QualityReportRead": "QualityReport",
    "QualitySummaryRead": "QualitySummary",
    "QueryParamRead": "QueryParam",
    "QueryTemplateRead": "QueryTemplate",
    "ReasonRead": "Reason",
    "RunAccepted": "JobRunAccepted",
    "RunRead": "JobRun",
    "ScheduleRead": "JobSchedule",
    "SimilarArtists": "Similar",
    "SimilarUsers": "Similar",
    "TagAssignmentRead": "TagAssignment",
    "TagRead": "Tag",
    "TaskDeclaration": "JobTask",
    "TaskRunRead": "JobTaskRun",
    "UserRead": "User",
}

BASES: dict[str, str] = {
    # A class and the SDK class it extends: it declares only the fields its base lacks or
    # describes differently. A base that is no schema holds the fields its subclasses share.
    "APIKeyCreated": "APIKey",
    "ArtistDetail": "Artist",
    "QualityReport": "QualitySummary",
    "SimilarArtist": "ArtistSummary",
    "TagDetail": "Tag",
    "TagTimeline": "Timeline",
    "TopArtistOfUser": "ArtistSummary",
    "User": "UserSummary",
}

SHARED_BASES: dict[str, str] = {
    "ArtistSummary": "An artist named in an aggregated view.",
}

MIXINS: dict[str, str] = {
    # Hand-written helper methods (``soundstream.types._helpers``) of a class.
    "ExportRun": "TablesFrame",
    "JobRun": "RunProgress",
    "QueryResult": "RowsFrame",
    "Recommendations": "ItemsFrame",
    "Similar": "ItemsFrame",
    "Timeline": "PointsFrame",
}

DEFAULTS: dict[tuple[str, str], Any] = {
    # RFC 9457: a problem without a ``type`` is ``about:blank`` (answers of a proxy included).
    ("Problem", "type"): "about:blank",
}


def sdk_name(schema_name: str) -> str:
    return SDK_NAMES.get(schema_name, schema_name)


# --- types -------------------------------------------------------------------------------------


@dataclass
class AnswerTypeWriter(TypeWriter):
    """Type expressions for reading answers: SDK class names, enumerations as their values'
    type, no constraints."""

    schemas: dict[str, Any] = field(default_factory=dict)

    def expr(self, schema: dict[str, Any]) -> str:
        if "$ref" in schema:
            target = self.schemas[ref_name(schema["$ref"])]
            return self.expr(target) if "enum" in target else sdk_name(ref_name(schema["$ref"]))
        values = schema.get("enum", [schema["const"]] if "const" in schema else None)
        if values is not None:
            kinds = {bool: "bool", int: "int", float: "float", str: "str"}
            found = dict.fromkeys(kinds.get(type(v), "Any") for v in values)
            if "Any" in found:
                self.imports.add("Any")
            return " | ".join(found)
        return super().expr(schema)

    def item(self, schema: dict[str, Any]) -> str:
        return self.expr(schema)


# --- classes -----------------------------------------------------------------------------------


@dataclass
class FieldLine:
    """A model field, as one line of source."""

    name: str
    annotation: str
    args: dict[str, Any]

    def line(self) -> str:
        attr = python_name(self.name)
        args = dict(self.args)
        if attr != self.name:
            args["alias"] = self.name
        if not args:
            return f"    {attr}: {self.annotation}\n"
        return f"    {attr}: {self.annotation} = Field({kwargs(args)})\n"


@dataclass
class Model:
    name: str
    description: str | None
    fields: dict[str, FieldLine]
    base: str | None = None


def answer_fields(
    name: str,
    members: list[dict[str, Any]],
    types: AnswerTypeWriter,
) -> dict[str, FieldLine]:
    """The fields of the schemas ``members`` seen as one class: a field that some lack is
    optional; one they type differently is an error."""
    order = list(dict.fromkeys(p for m in members for p in m.get("properties", {})))
    fields: dict[str, FieldLine] = {}
    for prop in order:
        found = [m for m in members if prop in m.get("properties", {})]
        schemas = [m["properties"][prop] for m in found]
        annotations = {types.expr(s) for s in schemas}
        if len(annotations) > 1:
            raise ValueError(f"{name}.{prop} has several types: {sorted(annotations)}")
        annotation = annotations.pop()
        schema = schemas[0]
        required = len(found) == len(members) and all(prop in m.get("required", []) for m in found)
        args: dict[str, Any] = {}
        nullable = "None" in annotation.split(" | ")
        default = schema.get("default")
        if (name, prop) in DEFAULTS:
            args["default"] = DEFAULTS[name, prop]
        elif isinstance(default, list) or (default is None and annotation.startswith("list[")):
            # An absent list is an empty one (a null one stays null).
            args["default" if nullable else "default_factory"] = None if nullable else "list"
        elif isinstance(default, dict) or (default is None and annotation.startswith("dict[")):
            args["default" if nullable else "default_factory"] = None if nullable else "dict"
        elif not required or nullable:
            # Absent is null; an answer may leave out what it could have sent as null.
            args["default"] = default
            if default is None and not nullable:
                annotation += " | None"
        description = _description(schemas)
        if description:
            args["description"] = description
        fields[prop] = FieldLine(prop, annotation, args)
    return fields


def answer_schemas(spec: dict[str, Any]) -> list[str]:
    """The schemas of the public API's answers (and of its problem details), enumerations
    left out: those are typed by their values."""
    schemas: dict[str, Any] = spec["components"]["schemas"]
    pending = {"Problem"}
    for path, methods in spec["paths"].items():
        if path.startswith("/v1/"):
            for operation in methods.values():
                for code, answer in operation["responses"].items():
                    if code.startswith("2"):
                        pending |= dependencies(answer)
    used: set[str] = set()
    while pending:
        name = pending.pop()
        if name not in used and "enum" not in schemas[name]:
            used.add(name)
            pending |= dependencies(schemas[name])
    return sorted(used)


def sdk_models(spec: dict[str, Any], types: AnswerTypeWriter) -> dict[str, Model]:
    schemas: dict[str, Any] = spec["components"]["schemas"]
    members: dict[str, list[dict[str, Any]]] = {}
    for schema_name in sorted(answer_schemas(spec), key=_table_order):
        members.setdefault(sdk_name(schema_name), []).append(schemas[schema_name])
    models = {
        name: Model(name, _description(found), answer_fields(name, found, types))
        for name, found in members.items()
    }
    for base, description in SHARED_BASES.items():
        subclasses = [models[sub] for sub, of in BASES.items() if of == base]
        shared = {
            prop: f
            for prop, f in subclasses[0].fields.items()
            if all(sub.fields.get(prop) == f for sub in subclasses)
        }
        models[base] = Model(base, description, shared)
    for sub, base in BASES.items():
        inherited = models[base].fields
        missing = set(inherited) - set(models[sub].fields)
        if missing:
            raise ValueError(f"{sub} lacks fields of its base {base}: {sorted(missing)}")
        models[sub].base = base
        models[sub].fields = {
            prop: f for prop, f in models[sub].fields.items() if inherited.get(prop) != f
        }
    return models


def _description(members: list[dict[str, Any]]) -> str | None:
    """The schemas' (or fields') distinct descriptions, one after the other: ``A; or b``."""
    found = list(dict.fromkeys(m["description"].rstrip(".") for m in members if "description" in m))
    if not found:
        return None
    return "; or ".join([found[0], *(d[:1].lower() + d[1:] for d in found[1:])]) + "."


def _table_order(schema_name: str) -> tuple[int, str]:
    """Schemas merged into one class in the order :data:`SDK_NAMES` lists them."""
    names = list(SDK_NAMES)
    return (names.index(schema_name) if schema_name in names else -1, schema_name)


def ordered(models: dict[str, Model]) -> list[Model]:
    """Every model after its base and the models its fields name."""
    done: dict[str, Model] = {}
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in done or name in visiting:
            return
        visiting.add(name)
        model = models[name]
        needed = {model.base} if model.base else set()
        for f in model.fields.values():
            needed |= {word for word in _words(f.annotation) if word in models}
        for other in sorted(needed - {name}):
            visit(other)
        done[name] = model

    for name in sorted(models):
        visit(name)
    return list(done.values())


def _words(annotation: str) -> set[str]:
    return set("".join(c if c.isalnum() or c == "_" else " " for c in annotation).split())


def render_model(model: Model) -> str:
    bases = [MIXINS[model.name]] if model.name in MIXINS else []
    bases.append(model.base or "BaseModel")
    lines = [f"class {model.name}({', '.join(bases)}):\n", docstring(model.description)]
    lines += [f.line() for f in model.fields.values()]
    if not model.fields:
        lines.append("    pass\n")
    return "".join(lines)


def render_types(spec: dict[str, Any]) -> str:
    types = AnswerTypeWriter(schemas=spec["components"]["schemas"])
    models = ordered(sdk_models(spec, types))
    bodies = [render_model(model) for model in models]
    source = SPEC_PATH.relative_to(SDK_DIR.parent).as_posix()
    doc = "The API's answers, one model per schema of the gateway's OpenAPI document."
    head = [GENERATED.format(doc=doc, command=COMMAND, source=source), "\n"]
    head.append("from __future__ import annotations\n\n")
    if "datetime" in types.imports:
        head.append("import datetime\n")
    typing_names = sorted(types.imports & {"Any"})
    if typing_names:
        head.append(f"from typing import {', '.join(typing_names)}\n")
    head.append("\nfrom pydantic import Field\n\n")
    head.append("from soundstream._models import BaseModel\n")
    mixins = sorted({MIXINS[m.name] for m in models if m.name in MIXINS})
    if mixins:
        head.append(f"from soundstream.types._helpers import {', '.join(mixins)}\n")
    names = "".join(f"    {m.name!r},\n" for m in sorted(models, key=lambda m: m.name))
    head.append(f"\n__all__ = [\n{names}]\n\n\n")
    return "".join(head) + "\n\n".join(bodies)


# --- the gateway's document --------------------------------------------------------------------


def load_spec() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SPEC_PATH.read_text("utf-8"))
    return data


def live_spec() -> dict[str, Any]:
    """The gateway application's own document (built in development mode, on a scratch data
    directory and without Redis: only to read the document)."""
    from gateway.config import Settings
    from gateway.main import create_app

    with development_mode(), tempfile.TemporaryDirectory() as data_dir:
        settings = Settings(data_dir=Path(data_dir), redis_url="")
        spec: dict[str, Any] = create_app(settings).openapi()
    return spec


def write(target: Path, spec: dict[str, Any]) -> Path:
    """Write the SDK's types for ``spec`` to ``target`` (formatted as the repository's code)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_types(spec), "utf-8")
    format_sources(target)
    return target


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--refresh-spec",
        action="store_true",
        help="First copy the live gateway OpenAPI document into sdk/openapi.json.",
    )
    args = parser.parse_args(argv)
    if args.refresh_spec:
        SPEC_PATH.write_text(dump_spec(live_spec()), "utf-8")
        print(SPEC_PATH.relative_to(SDK_DIR.parent))
    print(write(TYPES_PATH, load_spec()).relative_to(SDK_DIR.parent))


if __name__ == "__main__":
    main()
