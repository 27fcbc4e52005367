"""Block-style YAML text for the generated deployment files (docker-compose.yml, render.yaml).

A small emitter rather than a YAML library: the output is stable, reads like a hand-written
file, and quotes every string a YAML parser could take for something else (a number, a
boolean, ``${VAR}``...). Tests check that parsing the text gives back the data.
"""

from __future__ import annotations

import json
import re
from typing import Any

PLAIN = re.compile(r"^[A-Za-z_/][A-Za-z0-9_./@-]*$")
YAML_WORDS = {"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"}


def scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if PLAIN.match(text) and text.lower() not in YAML_WORDS:
        return text
    return json.dumps(text, ensure_ascii=False)


def to_yaml(value: Any, indent: int = 0) -> list[str]:
    """Block-style YAML for dicts, lists and scalars (the small subset a Compose file needs)."""
    pad = "  " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict) and item:
                lines += [f"{pad}{key}:", *to_yaml(item, indent + 1)]
            elif isinstance(item, list) and item:
                if all(not isinstance(i, dict | list) for i in item) and key == "command":
                    lines.append(f"{pad}{key}: [{', '.join(scalar(i) for i in item)}]")
                else:
                    lines += [f"{pad}{key}:", *to_yaml(item, indent + 1)]
            elif isinstance(item, dict | list):
                lines.append(f"{pad}{key}: {{}}" if isinstance(item, dict) else f"{pad}{key}: []")
            else:
                lines.append(f"{pad}{key}: {scalar(item)}")
        return lines
    if isinstance(value, list):
        for item in value:
            if isinstance(item, dict | list):
                nested = to_yaml(item, indent + 1)
                lines.append(f"{pad}- {nested[0].lstrip()}")
                lines += nested[1:]
            else:
                lines.append(f"{pad}- {scalar(item)}")
        return lines
    return [f"{pad}{scalar(value)}"]
