"""The house plan, checked: no import cycle inside any package, no module over 400 lines, no folder of more than
15 modules, and no stage importing another stage or a private (``_``) name of the contracts.

The import graph is read from the source with ``ast`` (nothing is imported), so the test sees lazy imports inside
functions too; imports under ``if TYPE_CHECKING:`` never run and are left out.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = {
    "datagen_contracts": ROOT / "packages/datagen-contracts/src/datagen_contracts",
    "datagen_core": ROOT / "packages/datagen-core/src/datagen_core",
    "datacruncher": ROOT / "packages/datacruncher/src/datacruncher",
    "datapolisher": ROOT / "packages/datapolisher/src/datapolisher",
}
STAGES = ("datagen_core", "datacruncher", "datapolisher")
MAX_LINES = 400
MAX_MODULES = 15
NOT_COUNTED = {"__init__.py", "__about__.py", "__main__.py"}  # a package's frame, not one of its modules


def modules(package: str) -> dict[str, Path]:
    """Dotted name -> file for every module of ``package`` (a package's ``__init__`` is named after the package)."""
    root = PACKAGES[package]
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imported(name: str, path: Path, known: set[str]) -> set[str]:
    """The modules of ``known`` that ``name`` imports (absolute or relative, at module level or in a function)."""
    is_package = path.name == "__init__.py"
    here = name if is_package else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = alias.name
                while target and target not in known:
                    target = target.rpartition(".")[0]
                if target:
                    found.add(target)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here.split(".")
                base = base[: len(base) - (node.level - 1)]
                source = ".".join([*base, node.module] if node.module else base)
            else:
                source = node.module or ""
            for alias in node.names:
                if f"{source}.{alias.name}" in known:  # `from . import module`
                    found.add(f"{source}.{alias.name}")
                elif source in known:
                    found.add(source)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
    found.discard(name)
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return found


def graph_of(package: str) -> dict[str, set[str]]:
    mods = modules(package)
    return {name: imported(name, path, set(mods)) for name, path in mods.items()}


def test_cycle_finder_finds_a_cycle_and_a_self_import_is_none() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_import_reader_resolves_relative_and_lazy_imports(tmp_path: Path) -> None:
    src = tmp_path / "pkg" / "sub" / "m.py"
    src.parent.mkdir(parents=True)
    src.write_text("from typing import TYPE_CHECKING\nfrom . import n\nfrom ..top import x\n"
                   "if TYPE_CHECKING:\n    from .hidden import y\n"
                   "def f():\n    import pkg.other\n")
    known = {"pkg", "pkg.sub", "pkg.sub.m", "pkg.sub.n", "pkg.top", "pkg.other", "pkg.sub.hidden"}
    assert imported("pkg.sub.m", src, known) == {"pkg.sub.n", "pkg.top", "pkg.other"}


@pytest.mark.parametrize("package", list(PACKAGES))
def test_no_import_cycle(package: str) -> None:
    found = cycles(graph_of(package))
    assert found == [], f"import cycles in {package}: {found}"


@pytest.mark.parametrize("package", list(PACKAGES))
def test_no_module_over_400_lines(package: str) -> None:
    long = {name: n for name, path in modules(package).items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}, f"modules over {MAX_LINES} lines: {long}"


@pytest.mark.parametrize("package", list(PACKAGES))
def test_no_folder_over_15_modules(package: str) -> None:
    crowded = {}
    for folder in [PACKAGES[package], *(p for p in PACKAGES[package].rglob("*") if p.is_dir())]:
        count = sum(1 for p in folder.glob("*.py") if p.name not in NOT_COUNTED)
        if count > MAX_MODULES:
            crowded[str(folder.relative_to(PACKAGES[package].parent))] = count
    assert crowded == {}, f"folders of more than {MAX_MODULES} modules: {crowded}"


@pytest.mark.parametrize("package", STAGES)
def test_stages_use_only_the_public_contracts_and_never_each_other(package: str) -> None:
    others = set(STAGES) - {package}
    bad = []
    for name, path in modules(package).items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = ([a.name for a in node.names] if isinstance(node, ast.Import)
                       else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
            if isinstance(node, ast.ImportFrom) and node.module == "datagen_contracts":
                targets += [f"datagen_contracts.{a.name}" for a in node.names]
            for target in targets:
                parts = target.split(".")
                if parts[0] in others or (parts[0] == "datagen_contracts" and any(p.startswith("_") and not p.endswith("__") for p in parts[1:])):
                    bad.append(f"{name}: {target}")
    assert bad == []


def test_the_architecture_page_names_every_subsystem_folder_and_no_other() -> None:
    """docs/architecture.md's package table lists each package's folders (``name/``); they must be the real ones."""
    import re

    rows = {line.split("|")[1].strip().strip("`"): line for line in
            (ROOT / "docs/architecture.md").read_text(encoding="utf-8").splitlines()
            if line.startswith("| `datagen-") or line.startswith("| `datacruncher") or line.startswith("| `datapolisher")}
    for dist, package in (("datagen-contracts", "datagen_contracts"), ("datagen-core", "datagen_core"),
                          ("datacruncher", "datacruncher"), ("datapolisher", "datapolisher")):
        named = set(re.findall(r"`([a-z_]+)/`", rows[dist].split("|")[2]))
        real = {p.name for p in PACKAGES[package].iterdir() if p.is_dir() and (p / "__init__.py").exists()}
        nested = {p.name for p in PACKAGES[package].glob("*/*") if p.is_dir() and (p / "__init__.py").exists()}
        assert named == real | nested, (dist, sorted(named), sorted(real | nested))
