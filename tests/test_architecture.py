"""The import rule of docs/architecture.md: every module is in its table, and imports only
modules below itself there (imports for type checking alone aside)."""

from __future__ import annotations

import ast
import re

from conftest import ROOT


def _imports(tree: ast.AST) -> set[str]:
    """Modules of the package a module imports at run time."""
    found: set[str] = set()
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            found.update([node.module] if node.module else [a.name for a in node.names])
        found |= _imports(node)
    return found


def test_modules_import_only_downwards_in_the_architecture_table() -> None:
    text = (ROOT / "docs/architecture.md").read_text(encoding="utf-8")
    order = re.findall(r"^\| `docgen/(\w+)\.py` \|", text, re.M)
    modules = {p.stem for p in (ROOT / "docgen").glob("*.py") if not p.stem.startswith("__")}
    assert sorted(order) == sorted(modules)  # each module once, none missing
    position = {name: index for index, name in enumerate(order)}
    upwards = [(name, imported) for name in order
               for imported in _imports(ast.parse((ROOT / "docgen" / f"{name}.py").read_text(
                   encoding="utf-8")))
               if imported in position and position[imported] <= position[name]]
    assert upwards == []


FOLDER_NAMES = ("build", "content", "templates")


def _path_literals(tree: ast.AST) -> list[tuple[int, str]]:
    """String constants that name a project folder where a path is made of them:
    Path("content/…"), something / "build", ("content", "templates")."""
    found = []
    for node in ast.walk(tree):
        constants: list[ast.expr] = []
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Path":
            constants = list(node.args)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            constants = [node.left, node.right]
        elif isinstance(node, ast.Tuple):
            constants = list(node.elts)
        for constant in constants:
            if isinstance(constant, ast.Constant) and isinstance(constant.value, str) and \
                    constant.value.split("/")[0] in FOLDER_NAMES:
                found.append((constant.lineno, constant.value))
    return found


def test_no_folder_path_literal_outside_the_folders_module() -> None:
    found = {path.name: _path_literals(ast.parse(path.read_text(encoding="utf-8")))
             for path in sorted((ROOT / "docgen").glob("*.py")) if path.name != "folders.py"}
    assert {name: literals for name, literals in found.items() if literals} == {}
    assert sorted(_path_literals(ast.parse('Path("content/orders") / "build"'))) == [
        (1, "build"), (1, "content/orders")]  # the check itself sees them
