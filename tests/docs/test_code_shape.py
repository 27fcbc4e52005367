"""The house's shape rules (docs/architecture.md), checked over the whole tree: no module a
person writes runs over 400 lines (a generated one, marked "do not edit by hand", is read
through its generator instead), and no package's modules import each other in a cycle."""

from __future__ import annotations

import ast
import subprocess
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
MAX_LINES = 400
GENERATED = "do not edit by hand"


def python_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.py"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [REPO / name for name in listed if (REPO / name).is_file()]


def is_generated(text: str) -> bool:
    return GENERATED in (ast.get_docstring(ast.parse(text)) or "")


def test_no_hand_written_module_is_over_400_lines() -> None:
    too_long = {}
    for path in python_files():
        text = path.read_text("utf-8")
        lines = text.count("\n")
        if lines > MAX_LINES and not is_generated(text):
            too_long[str(path.relative_to(REPO))] = lines
    assert too_long == {}, f"split these modules (at most {MAX_LINES} lines): {too_long}"


def module_name(path: Path) -> str | None:
    """The dotted name of a package module under a ``src/`` directory (None elsewhere)."""
    parts = path.relative_to(REPO).with_suffix("").parts
    if "src" not in parts:
        return None
    dotted = list(parts[parts.index("src") + 1 :])
    if dotted[-1] == "__init__":
        dotted.pop()
    return ".".join(dotted)


def top_level_imports(
    tree: ast.Module, name: str, is_package: bool, known: set[str]
) -> Iterator[str]:
    """The modules of ``known`` a module imports when it is imported: its top-level imports,
    not those inside functions or under ``if TYPE_CHECKING:``. ``from package import module``
    names the module, not the package."""
    package = name if is_package else name.rpartition(".")[0]
    for node in tree.body:
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names if alias.name in known)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                if submodule in known:
                    yield submodule
                elif base in known:
                    yield base


def import_graph() -> dict[str, set[str]]:
    modules: dict[str, tuple[ast.Module, bool]] = {}
    for path in python_files():
        name = module_name(path)
        if name:
            modules[name] = (ast.parse(path.read_text("utf-8")), path.name == "__init__.py")
    known = set(modules)
    return {
        name: set(top_level_imports(tree, name, is_package, known)) - {name}
        for name, (tree, is_package) in modules.items()
    }


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``graph`` (its modules in order), or None."""
    done: set[str] = set()
    path: list[str] = []
    on_path: set[str] = set()

    def visit(node: str) -> list[str] | None:
        path.append(node)
        on_path.add(node)
        for target in sorted(graph[node]):
            if target in on_path:
                return [*path[path.index(target) :], target]
            if target not in done and (cycle := visit(target)):
                return cycle
        on_path.discard(path.pop())
        done.add(node)
        return None

    for start in sorted(graph):
        if start not in done and (cycle := visit(start)):
            return cycle
    return None


def test_the_cycle_finder_finds_a_cycle_and_only_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_no_modules_import_each_other_in_a_cycle() -> None:
    graph = import_graph()
    assert find_cycle(graph) is None, f"import cycle: {' -> '.join(find_cycle(graph) or [])}"
