"""The configuration reference (docs/configuration.md), generated from the Settings classes.

The Settings classes are the one source of truth; the document is rendered from them and a
test fails when the committed copy drifts.
"""

from __future__ import annotations

import json
from importlib import import_module
from pathlib import Path

from pydantic import AliasChoices
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined
from pydantic_settings import BaseSettings

from soundstream_admin.config import AdminSettings
from soundstream_admin.stack import find_stack_file, load_stack


def settings_classes() -> list[tuple[str, type[BaseSettings]]]:
    """The operator tool's settings, then each service's, in the stack file's order (each
    process names its Settings class there, ``module:Class``)."""
    classes: list[tuple[str, type[BaseSettings]]] = [
        ("Operator tool (`soundstream-admin`)", AdminSettings)
    ]
    seen: set[str] = set()
    for spec in load_stack(find_stack_file()):
        if spec.settings is None or spec.settings in seen:
            continue
        seen.add(spec.settings)
        module, _, name = spec.settings.partition(":")
        classes.append((f"{spec.name.capitalize()} service", getattr(import_module(module), name)))
    return classes


HEADER = """# Configuration

Generated from the services' Settings classes by `soundstream-admin settings-doc`; do not edit
by hand. Every setting is read from the environment or from a `.env` file in the working
directory. Database URLs accept `sqlite:///path` and `postgresql://user:pass@host/db` (the
psycopg 3 driver is selected automatically).
"""


def _default(info: FieldInfo) -> str:
    if info.default_factory is not None:
        return "(computed)"
    if info.default is PydanticUndefined:
        return "(required)"
    if info.default is None or info.default == "":
        return "(unset)"
    return f"`{json.dumps(info.default, default=str)}`"


def _variable(prefix: str, name: str, info: FieldInfo) -> str:
    """The environment variable of a setting: its alias when it has one (a setting shared by
    every service, e.g. ``SOUNDSTREAM_SERVICE_TOKEN``), else prefix and name."""
    if isinstance(info.validation_alias, AliasChoices):
        return str(info.validation_alias.choices[0])
    return f"{prefix}{name.upper()}"


def render() -> str:
    lines = [HEADER]
    for title, cls in settings_classes():
        prefix = str(cls.model_config.get("env_prefix", ""))
        lines += [f"## {title}", "", "| variable | default | meaning |", "|---|---|---|"]
        for name, info in cls.model_fields.items():
            description = (info.description or "").replace("|", "\\|")
            lines.append(
                f"| `{_variable(prefix, name, info)}` | {_default(info)} | {description} |"
            )
        lines.append("")
    return "\n".join(lines)


README_START = "<!-- settings:start -->"
README_END = "<!-- settings:end -->"


def _tables() -> str:
    """The tables alone, one heading level down, for the README's configuration section."""
    body = render()
    return body[body.index("## ") :].replace("## ", "### ")


def with_readme_section(readme: str) -> str:
    """``readme`` with the text between the settings markers replaced by the tables."""
    start, end = readme.index(README_START), readme.index(README_END)
    return readme[: start + len(README_START)] + "\n" + _tables() + readme[end:]


def write(path: Path, readme: Path | None = None) -> bool:
    """Write the document (and the README's section); True when anything changed."""
    changed = False
    text = render()
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
        changed = True
    if readme is not None:
        current = readme.read_text(encoding="utf-8")
        updated = with_readme_section(current)
        if updated != current:
            readme.write_text(updated, encoding="utf-8")
            changed = True
    return changed
