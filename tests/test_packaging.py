"""Packaging: the declared dependencies cover the imports, and the license."""

import ast
import re
import sys
from importlib import metadata
from pathlib import Path

import pytest

try:
    import tomllib
except ImportError:  # Python 3.10
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "skdifficulty"

# Import names of the distributions whose import name differs from their name.
IMPORT_NAMES = {"scikit-learn": "sklearn"}


def _project():
    with open(ROOT / "pyproject.toml", "rb") as file:
        return tomllib.load(file)["project"]


def _import_name(requirement):
    """``"scikit-learn>=1.6"`` -> ``"sklearn"``; ``"dask[distributed]"`` -> dask."""
    name = re.match(r"[A-Za-z0-9._-]+", requirement).group(0).lower()
    return IMPORT_NAMES.get(name, name.replace("-", "_"))


def _declared():
    """Import names of the dependencies, and of all the extras together."""
    project = _project()
    required = {_import_name(r) for r in project["dependencies"]}
    extras = {
        _import_name(r)
        for requirements in project["optional-dependencies"].values()
        for r in requirements
    }
    # dask[distributed] brings the distributed package.
    if "dask" in extras:
        extras.add("distributed")
    return required, extras


def _imports():
    """``(module, top-level name, at module level?)`` of every import, and the
    package's modules that each module imports at module level."""
    found, internal = [], {}
    for path in sorted(PACKAGE.glob("*.py")):
        module = path.stem
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        module_level = {id(node) for node in tree.body}
        internal[module] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                if id(node) in module_level:
                    # "from .x import y", or "from . import x"
                    internal[module].update(
                        [node.module.split(".")[0]]
                        if node.module
                        else [alias.name for alias in node.names]
                    )
                continue
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top == "skdifficulty":
                    continue
                found.append((module, top, id(node) in module_level))
    return found, internal


def _loaded_with_the_package(internal):
    """Modules that ``import skdifficulty`` and the command line load."""
    loaded, todo = set(), ["__init__", "__main__"]
    while todo:
        module = todo.pop()
        if module in loaded or module not in internal:
            continue
        loaded.add(module)
        todo.extend(internal[module])
    return loaded


def test_the_imports_are_found():
    imports, internal = _imports()
    names = {name for _, name, _ in imports}
    assert {"numpy", "sklearn", "threadpoolctl", "matplotlib"} <= names
    loaded = _loaded_with_the_package(internal)
    assert {"_cli", "_difficulty", "_weighting", "_meta"} <= loaded
    assert "skorch" not in loaded  # an optional module, with its own imports


def test_every_import_is_declared():
    """Every import is declared: those that ``import skdifficulty`` or the
    command line run as dependencies, the others (inside a function, or in
    an optional module such as skdifficulty.skorch) at least in an extra."""
    required, extras = _declared()
    imports, internal = _imports()
    undeclared = [
        f"{module}: {name}"
        for module, name, _ in imports
        if name not in required | extras
    ]
    assert not undeclared, f"imported but not declared in pyproject.toml: {undeclared}"
    loaded = _loaded_with_the_package(internal)
    needed_by_the_package = [
        f"{module}: {name}"
        for module, name, module_level in imports
        if module_level and module in loaded and name not in required
    ]
    assert not needed_by_the_package, (
        "imported with the package, but only declared in an extra: "
        f"{needed_by_the_package}"
    )


def test_threadpoolctl_is_a_dependency():
    """The demo imports it: the version that scikit-learn 1.6 requires."""
    assert "threadpoolctl>=3.1.0" in _project()["dependencies"]


def test_license():
    project = _project()
    assert project["license"] == "BSD-3-Clause"
    assert project["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("BSD 3-Clause License")
    assert "Copyright (c) 2026, skdifficulty developers" in text
    assert "Neither the name of the copyright holder" in text


def test_sdist_includes_the_license_and_changelog():
    manifest = (ROOT / "MANIFEST.in").read_text(encoding="utf-8").split()
    assert "LICENSE" in manifest and "CHANGELOG.md" in manifest
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## [Unreleased]" in changelog and "## [0.1.0]" in changelog


def test_installed_metadata():
    """The installed metadata says the license (reinstall after editing
    pyproject.toml: pip install -e . --no-deps)."""
    meta = metadata.metadata("skdifficulty")
    assert meta.get("License-Expression") == "BSD-3-Clause"
    assert "LICENSE" in (meta.get_all("License-File") or [])
    requires = meta.get_all("Requires-Dist") or []
    assert "threadpoolctl>=3.1.0" in requires
