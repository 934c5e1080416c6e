"""Imports run one way: config, core and db below every domain; no domain reaches into another's
views; no cycle between packages; every package says what it offers.

Read from the source (ast), so that an import inside a function counts as much as one at the top.
"""

import ast
from functools import cache
from pathlib import Path

SRC = Path(__file__).parents[1] / "src" / "onegrid"
# What every domain may import, and what they may import in turn (each a package or a module).
BELOW_DOMAINS = {"config": set(), "core": {"config"}, "db": {"config", "core"}}
# Top-level modules that put the domains together: they may import anything, nothing imports them.
COMPOSITION = {"__main__", "app", "cli", "models"}
# Files left out, and why.
APART = {
    "db/migrations/env.py": "Alembic runs it on its own, and it must see every domain's tables",
}
# Directories of modules that are no package, and why.
NOT_PACKAGES = {
    "db/migrations": "Alembic's script directory: Alembic loads its files by path",
    "db/migrations/versions": "the migrations themselves, loaded by Alembic by path",
}
# Packages that list no public names, and why.
NO_PUBLIC_NAMES = {
    "core": "its modules are imported by name, so that one does not load the rest",
    "web": "pages: app.py mounts its router, no domain imports it",
}
# Imports that break a rule today, and why; a fixed one must leave the list (the test says so).
KNOWN: dict[tuple[str, str], str] = {}
# Cycles between packages that remain, and why.
JUSTIFIED_CYCLES: dict[frozenset[str], str] = {}


def _files() -> list[tuple[str, Path]]:
    return [
        (path.relative_to(SRC).as_posix(), path)
        for path in sorted(SRC.rglob("*.py"))
        if path.relative_to(SRC).as_posix() not in APART
    ]


def _package(relative: str) -> str:
    """The top-level package (or module) of onegrid a file belongs to; "" for onegrid itself."""
    first = relative.split("/")[0]
    return "" if first == "__init__.py" else first.removesuffix(".py")


def _is_module(dotted: str) -> bool:
    path = SRC.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


@cache
def _imports(relative: str) -> list[str]:
    """The onegrid modules a file imports, dotted below onegrid ("accounts.views")."""
    tree = ast.parse((SRC / relative).read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.startswith("onegrid.")]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module != "onegrid" and not node.module.startswith("onegrid."):
                continue
            for alias in node.names:
                # `from onegrid.audit import auditing` imports the module onegrid.audit.auditing.
                dotted = f"{node.module}.{alias.name}"
                found.append(dotted if _is_module(dotted.removeprefix("onegrid.")) else node.module)
    return [name.removeprefix("onegrid").removeprefix(".") for name in found]


def _edges() -> set[tuple[str, str, str]]:
    """(importing package, imported package, imported module) for every import across packages."""
    return {
        (_package(relative), module.split(".")[0], module)
        for relative, _ in _files()
        for module in _imports(relative)
        if module and module.split(".")[0] != _package(relative)
    }


def test_config_core_and_db_import_no_domain():
    wrong = [
        f"{source} imports {module}"
        for source, target, module in _edges()
        if source in BELOW_DOMAINS and target and target not in BELOW_DOMAINS[source]
    ]
    assert wrong == []


def test_no_domain_imports_another_domains_views():
    found = {
        (source, module)
        for source, _, module in _edges()
        if module.endswith(".views") and source not in COMPOSITION
    }
    assert found - KNOWN.keys() == set()
    assert KNOWN.keys() - found == set(), "fixed: take these off KNOWN"


def _cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    # Tarjan's strongly connected components; one of two packages or more is a cycle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(frozenset(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def test_no_import_cycle_between_packages():
    graph: dict[str, set[str]] = {}
    for source, target, _ in _edges():
        if target:  # onegrid/__init__.py holds two constants and imports nothing
            graph.setdefault(source, set()).add(target)
    cycles = _cycles(graph)
    assert {cycle for cycle in cycles if cycle not in JUSTIFIED_CYCLES} == set()
    assert JUSTIFIED_CYCLES.keys() - set(cycles) == set(), "gone: take these off JUSTIFIED_CYCLES"


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [frozenset("abc")]


def test_composition_modules_are_imported_by_nobody():
    importers = {source for source, target, _ in _edges() if target in COMPOSITION}
    assert importers <= COMPOSITION


def _init(directory: Path) -> ast.Module:
    return ast.parse((directory / "__init__.py").read_text(encoding="utf-8"))


def test_every_package_says_what_it_offers():
    packages = {path.parent.relative_to(SRC).as_posix() for _, path in _files()}
    for name in sorted(packages - {"."} - NOT_PACKAGES.keys()):
        directory = SRC / name
        assert (directory / "__init__.py").is_file(), f"{name} has no __init__.py"
        module = _init(directory)
        assert ast.get_docstring(module), f"{name}/__init__.py has no docstring"
        lists = any(
            isinstance(node, ast.Assign)
            and any(getattr(t, "id", "") == "__all__" for t in node.targets)
            for node in module.body
        )
        if "/" not in name and name not in NO_PUBLIC_NAMES:
            assert lists, f"{name}/__init__.py lists no public names (__all__)"
