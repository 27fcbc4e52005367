"""A task's definition fingerprint: its code and its parameters, hashed.

Code is read as syntax, not text: the function's (and each ``code`` object's) source parsed
with :mod:`ast` and dumped without docstrings, so a reformatting, a comment or a reworded
docstring does not count as a change, while any change to what the code does does. A module
counts with its whole source; a package with every module in it. Where no source can be read
(a built-in), the compiled code object stands in.
"""

from __future__ import annotations

import ast
import hashlib
import inspect
import json
import textwrap
import types
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from soundstream_taskgraph.declare import Task


def digest(value: Any) -> str:
    """SHA-256 (hex) of ``value`` as canonical JSON."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _without_docstrings(tree: ast.AST) -> ast.AST:
    for node in ast.walk(tree):
        if isinstance(
            node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Module
        ) and (
            node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
            and isinstance(node.body[0].value.value, str)
        ):
            node.body = node.body[1:] or [ast.Pass()]
    return tree


def _source_digest(source: str, *, anonymous: bool = False) -> str:
    """The digest of ``source``'s syntax; ``anonymous``: the name of a lone function or
    class does not count (renaming it changes nothing it does)."""
    tree = _without_docstrings(ast.parse(textwrap.dedent(source)))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            node.decorator_list = []
    if anonymous and isinstance(tree, ast.Module):
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                node.name = "_"
    return hashlib.sha256(ast.dump(tree).encode()).hexdigest()


@lru_cache(maxsize=512)
def _file_digest(path: str) -> str:
    return _source_digest(Path(path).read_text("utf-8"))


def code_digest(obj: object) -> str:
    """The digest of a function's, class's, module's or package's code."""
    if isinstance(obj, types.ModuleType):
        root, paths = _module_files(obj)
        return digest({p.relative_to(root).as_posix(): _file_digest(str(p)) for p in paths})
    target = inspect.unwrap(obj) if callable(obj) else obj
    try:
        return _source_digest(inspect.getsource(target), anonymous=True)  # type: ignore[arg-type]
    except (OSError, TypeError, SyntaxError):
        code = getattr(target, "__code__", None)
        if code is None:
            raise TypeError(f"cannot fingerprint {obj!r}: no source and no code") from None
        return digest([code.co_code.hex(), repr(code.co_consts), code.co_names])


def _module_files(module: types.ModuleType) -> tuple[Path, list[Path]]:
    """The directory the names are relative to, and the module's (or package's) files."""
    file = getattr(module, "__file__", None)
    if file is None:
        raise TypeError(f"cannot fingerprint module {module.__name__}: no source file")
    path = Path(file)
    if path.name == "__init__.py":
        root = path.parent
        return root, sorted(p for p in root.rglob("*.py") if "__pycache__" not in p.parts)
    return path.parent, [path]


def _describe_callable(obj: object) -> str:
    module = getattr(obj, "__module__", "")
    return f"{module}.{getattr(obj, '__qualname__', repr(obj))}"


def task_fingerprint(task: Task) -> str:
    """The fingerprint of ``task``: its function's code, its ``code`` objects, its params and
    its dependencies' names (a task reading different inputs is a different task)."""
    return digest(
        {
            "run": code_digest(task.run),
            "code": {_label(obj): code_digest(obj) for obj in task.code},
            "inputs": code_digest(task.inputs) if task.inputs is not None else None,
            "params": _jsonable(task.params),
            "depends_on": sorted(task.dependencies),
        }
    )


def _label(obj: object) -> str:
    if isinstance(obj, types.ModuleType):
        return obj.__name__
    return _describe_callable(obj)


def _jsonable(params: Mapping[str, Any]) -> Any:
    """``params`` as canonical JSON data; raises TypeError for values JSON cannot hold."""
    return json.loads(json.dumps(dict(params), sort_keys=True))


def fingerprints(tasks: Iterable[Task]) -> dict[str, str]:
    return {task.name: task_fingerprint(task) for task in tasks}
