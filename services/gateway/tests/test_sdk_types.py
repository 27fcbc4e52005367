"""The SDK's response models stay faithful to the gateway's OpenAPI document.

A copy of the document is committed as ``sdk/openapi.json`` and the SDK's models are generated
from it (``gateway.upstream.sdkgen``): these tests fail when the copy drifts from the live
application or when the generated models are stale.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import soundstream.types
from gateway.upstream import codegen, sdkgen
from soundstream._models import BaseModel


def test_committed_gateway_document_matches_the_live_application() -> None:
    live = json.loads(codegen.dump_spec(sdkgen.live_spec()))
    assert sdkgen.load_spec() == live, (
        "the gateway's API changed: run `python -m gateway.upstream.sdkgen --refresh-spec`"
    )


def test_generated_sdk_types_are_current(tmp_path: Path) -> None:
    written = sdkgen.write(tmp_path / sdkgen.TYPES_PATH.name, sdkgen.load_spec())
    assert written.read_text("utf-8") == sdkgen.TYPES_PATH.read_text("utf-8"), (
        "stale generated SDK types: run `python -m gateway.upstream.sdkgen`"
    )


def test_every_sdk_name_of_the_tables_is_a_public_model() -> None:
    public = set(soundstream.types.__all__)
    named = set(sdkgen.SDK_NAMES.values()) | set(sdkgen.BASES) | set(sdkgen.MIXINS)
    assert named <= public, sorted(named - public)
    for name in public:
        model = getattr(soundstream.types, name)
        assert issubclass(model, BaseModel), name
        assert model.model_config.get("extra") == "allow", name  # newer fields are kept


def test_helpers_come_with_the_generated_models() -> None:
    for name, mixin in sdkgen.MIXINS.items():
        helpers = getattr(soundstream.types._helpers, mixin)
        assert issubclass(getattr(soundstream.types, name), helpers), name


def test_the_sdk_types_import_nothing_of_the_gateway() -> None:
    code = "import sys, soundstream.types; print(sorted(m for m in sys.modules if 'gateway' in m))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
