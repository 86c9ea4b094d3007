"""The package's modules and their imports, read from the source."""

import ast
from pathlib import Path
from typing import NamedTuple

PACKAGE = Path(__file__).resolve().parents[1] / "skdifficulty"


class Import(NamedTuple):
    """One import statement of a module.

    ``target`` is the absolute dotted name of the imported module, ours or
    another package's; ``names`` are those taken from it (none for
    ``import x``). ``scope`` says when it runs: ``"module"`` for a statement
    of the module's body, ``"guarded"`` for one nested in such a statement
    (a ``try``, an ``if``, a class), ``"function"`` for one in a function.
    """

    module: str
    target: str
    names: list
    scope: str


def module_name(path):
    """``skdifficulty/cli/_score.py`` -> ``"skdifficulty.cli._score"``."""
    parts = ["skdifficulty", *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules():
    """``{dotted name: path}`` of every module, subpackages included."""
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def is_ours(target):
    return target.split(".")[0] == "skdifficulty"


def _target(module, path, node):
    """The absolute module an ``ImportFrom`` names, relative ones resolved."""
    if node.level == 0:
        return node.module
    base = module.split(".")
    if path.name != "__init__.py":
        base = base[:-1]
    base = base[: len(base) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def _statements(tree):
    """``(import node, scope)`` of every import in a module's tree."""
    todo = [(node, "module") for node in tree.body]
    while todo:
        node, scope = todo.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node, scope
        inner = scope
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            inner = "function"
        elif scope == "module":
            inner = "guarded"
        todo += [(child, inner) for child in ast.iter_child_nodes(node)]


def imports():
    """Every import of every module, as :class:`Import`, function-level ones
    included.

    ``from . import x`` counts as importing the submodule ``x`` when it is
    one.
    """
    found = modules()
    result = []
    for module, path in found.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node, scope in _statements(tree):
            if isinstance(node, ast.Import):
                result += [
                    Import(module, alias.name, [], scope) for alias in node.names
                ]
                continue
            target = _target(module, path, node)
            names = [alias.name for alias in node.names]
            submodules = [n for n in names if f"{target}.{n}" in found]
            result += [Import(module, f"{target}.{n}", [], scope) for n in submodules]
            rest = [n for n in names if n not in submodules]
            if rest or not submodules:
                result.append(Import(module, target, rest, scope))
    return sorted(result)
