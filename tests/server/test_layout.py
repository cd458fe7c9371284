"""The source tree keeps the shape docs/development.md describes: imports point one way, no module imports another
that imports it back, modules stay small, and the server package's folders are the ones the page names.

Imports are read from the source (every `import` statement, including those inside functions and under
`TYPE_CHECKING`), so a circle hidden behind a late import is found too.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from .conftest import REPO

SOURCE_ROOTS = (REPO / "client", REPO / "server")
PACKAGES = ("chatwoot_client", "chatwoot_mcp", "chatwoot_sandbox")
MAX_LINES = 600
LONG_ON_PURPOSE = {"chatwoot_sandbox.seed"}
"""The sandbox's demo data: one file to read top to bottom, not code with seams."""
TOP_OF_SERVER = {"__init__", "__main__", "asgi", "audit", "cli", "config", "context", "identity", "server"}
"""The only modules beside the folders of chatwoot_mcp: where a process starts and what every call shares."""


def _modules() -> dict[str, tuple[Path, bool]]:
    found: dict[str, tuple[Path, bool]] = {}
    for root in SOURCE_ROOTS:
        for path in root.rglob("*.py"):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[0] not in PACKAGES:
                continue
            is_package = parts[-1] == "__init__"
            found[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return found


MODULES = _modules()


def _owner(name: str) -> str | None:
    """The module of ours that an imported dotted name lives in (a name imported from a module counts as it)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imported_names(module: str) -> Iterator[str]:
    path, is_package = MODULES[module]
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                prefix = ".".join([*base, *([node.module] if node.module else [])])
            else:
                prefix = node.module or ""
            yield prefix
            yield from (f"{prefix}.{alias.name}" for alias in node.names)


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for module in MODULES:
        owners = {_owner(name) for name in _imported_names(module)}
        graph[module] = {owner for owner in owners if owner and owner != module}
    return graph


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in sorted(graph[module]):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                circles.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return circles


def test_no_module_imports_one_that_imports_it_back() -> None:
    circles = _circles(_graph())
    assert circles == [], "\n".join(
        " <-> ".join(group) + ": " + "; ".join(f"{m} imports {sorted(_graph()[m] & set(group))}" for m in group)
        for group in circles
    )


def test_the_circle_finder_finds_a_circle() -> None:
    """The check above would pass on a graph it cannot read: show it catches a circle through a third module."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _circles(graph) == [["a", "b", "c"]]


def test_imports_point_one_way() -> None:
    """The client imports neither the server nor the sandbox; the sandbox imports neither; the server imports the
    sandbox only where --sandbox embeds it."""
    graph = _graph()
    for module, imports in graph.items():
        packages = {name.partition(".")[0] for name in imports}
        if module.startswith("chatwoot_client"):
            assert packages <= {"chatwoot_client"}, (module, imports)
        if module.startswith("chatwoot_sandbox"):
            assert packages <= {"chatwoot_sandbox"}, (module, imports)
        if module.startswith("chatwoot_mcp") and module != "chatwoot_mcp.launch.sandbox":
            assert "chatwoot_sandbox" not in packages, (module, imports)


def test_modules_stay_small() -> None:
    long = {
        module: lines
        for module, (path, _) in MODULES.items()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES and module not in LONG_ON_PURPOSE
    }
    assert long == {}, f"split these along their seams (at most {MAX_LINES} lines): {long}"


def test_the_server_package_is_folders_with_only_entry_points_at_the_top() -> None:
    package = REPO / "server" / "chatwoot_mcp"
    top = {path.stem for path in package.glob("*.py")}
    assert top == TOP_OF_SERVER, f"new code goes into a folder (docs/development.md): {sorted(top - TOP_OF_SERVER)}"
    folders = sorted(path.name for path in package.iterdir() if (path / "__init__.py").exists())
    page = (REPO / "docs" / "development.md").read_text(encoding="utf-8")
    missing = [name for name in folders if f"  {name}/ " not in page]
    assert missing == [], f"docs/development.md's tree lacks a line for {missing}"
    for folder in folders:
        assert ast.get_docstring(ast.parse((package / folder / "__init__.py").read_text(encoding="utf-8"))), folder
