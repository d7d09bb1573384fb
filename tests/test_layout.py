"""The house by stage: folders name the stages, imports run one way, modules stay small.

Imports are read from the source (every ``import``, including those inside functions and
under ``TYPE_CHECKING``): a stage may use the stages below it, never those above.
"""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "generator"
#: What each place may import, besides itself. "root" is what every stage uses.
ALLOWED = {
    "root": {"root"},
    "rulebook": {"root"},
    "render": {"root", "rulebook"},
    "diagnose": {"root", "rulebook", "render"},
    "outputs": {"root", "rulebook", "render", "diagnose"},
    "site": {"root", "rulebook", "render", "diagnose", "outputs"},
    "publish": {"root", "rulebook", "outputs"},
    "editors": {"root", "rulebook", "render", "outputs"},
    "cli": {"root", "rulebook", "render", "diagnose", "outputs", "site", "publish", "editors"},
}
ROOT_MODULES = {"__init__", "__main__", "errors", "config", "files"}
#: Folders of data, not code: the templates, catalogues and theme that ship in the package.
DATA = {"templates"}
MAX_LINES = 400


def place(module: str) -> str:
    """``generator.render.pages`` -> ``render``; root modules -> ``root``; the CLI -> ``cli``."""
    parts = module.split(".")
    if len(parts) == 1:
        return "root"
    if parts[1] in ("cli", "__main__"):
        return "cli"
    return parts[1] if len(parts) > 2 else "root"


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        dotted = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        found[dotted.removesuffix(".__init__")] = path
    return found


def imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("generator"):
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("generator"))
    known = modules()
    return {name for name in found if name in known and name != "generator"}


def test_the_root_holds_only_what_every_stage_uses() -> None:
    at_root = {p.stem for p in PACKAGE.glob("*.py")}
    assert at_root == ROOT_MODULES
    assert len(at_root) <= 6
    stages = {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert stages - DATA == set(ALLOWED) - {"root"}
    assert not list((PACKAGE / "templates").rglob("*.py")), "the templates folder holds no code"
    stages -= DATA
    for stage in stages:
        docstring = ast.get_docstring(ast.parse((PACKAGE / stage / "__init__.py").read_text()))
        assert docstring and len(docstring) > 80, (
            f"{stage}/__init__.py says what it takes and gives"
        )


def test_imports_run_one_way() -> None:
    wrong = []
    for module, path in modules().items():
        here = place(module)
        for target in imports(path):
            there = place(target)
            if there != here and there not in ALLOWED[here]:
                wrong.append(f"{module} ({here}) imports {target} ({there})")
    assert wrong == []


def test_there_is_no_import_cycle() -> None:
    graph = {module: imports(path) - {module} for module, path in modules().items()}
    # A package's __init__ is imported with any of its modules; it imports nothing here.
    visiting: list[str] = []
    done: set[str] = set()
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        if module in done:
            return
        if module in visiting:
            cycles.append([*visiting[visiting.index(module) :], module])
            return
        visiting.append(module)
        for target in sorted(graph.get(module, ())):
            visit(target)
        visiting.pop()
        done.add(module)

    for module in graph:
        visit(module)
    assert cycles == []


def test_no_module_is_over_400_lines() -> None:
    long = {
        str(path.relative_to(ROOT)): n
        for path in PACKAGE.rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}
