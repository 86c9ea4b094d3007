"""Packaging: the declared dependencies cover the imports, and the license."""

import re
import sys
from importlib import metadata
from pathlib import Path

import pytest
from _module_graph import imports, is_ours, modules

try:
    import tomllib
except ImportError:  # Python 3.10
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parents[1]

# Import names of the distributions whose import name differs from their name.
IMPORT_NAMES = {"scikit-learn": "sklearn"}
# What only the nets need: importing the package must not import it.
OPTIONAL = ("torch", "skorch")


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


def _third_party(found):
    """``(module, top-level name, scope)`` of the imports of other packages
    than the standard library."""
    return [
        (edge.module, top, edge.scope)
        for edge in found
        if not is_ours(edge.target)
        and (top := edge.target.split(".")[0]) not in sys.stdlib_module_names
    ]


def _loaded_with_the_package(found):
    """Modules that ``import skdifficulty`` and the command line load: those
    that their imports outside functions reach, and the packages above them."""
    edges = {}
    for edge in found:
        if is_ours(edge.target) and edge.scope != "function":
            edges.setdefault(edge.module, set()).add(edge.target)
    known = modules()
    loaded, todo = set(), ["skdifficulty", "skdifficulty.__main__"]
    while todo:
        module = todo.pop()
        if module in loaded or module not in known:
            continue
        loaded.add(module)
        todo.append(module.rpartition(".")[0])
        todo.extend(edges.get(module, ()))
    return loaded


def _optional(found):
    """Modules that import torch or skorch when they are imported."""
    return {
        module
        for module, name, scope in _third_party(found)
        if name in OPTIONAL and scope != "function"
    }


def test_the_imports_are_found():
    found = imports()
    names = {name for _, name, _ in _third_party(found)}
    assert {"numpy", "sklearn", "threadpoolctl", "matplotlib"} <= names
    loaded = _loaded_with_the_package(found)
    # Reached through relative imports of each level, with their packages.
    assert {
        "skdifficulty.cli",
        "skdifficulty.cli._score",
        "skdifficulty.estimate",
        "skdifficulty.estimate._estimator",
        "skdifficulty.weighting._weights",
        "skdifficulty.utils._validation",
        "skdifficulty._meta",
    } <= loaded
    optional = _optional(found)
    assert {"skdifficulty.nets._weighted", "skdifficulty.nets._stacked"} <= optional
    # Optional modules, and the public faces that import them.
    faces = {"skdifficulty.skorch", "skdifficulty.dynamics"}
    assert not loaded & (optional | faces)


def test_every_import_is_declared():
    """Every import is declared: those that ``import skdifficulty`` or the
    command line run as dependencies, the others (inside a function, or in
    an optional module such as skdifficulty.skorch) at least in an extra."""
    required, extras = _declared()
    found = imports()
    third_party = _third_party(found)
    undeclared = [
        f"{module}: {name}"
        for module, name, _ in third_party
        if name not in required | extras
    ]
    assert not undeclared, f"imported but not declared in pyproject.toml: {undeclared}"
    loaded = _loaded_with_the_package(found)
    needed_by_the_package = [
        f"{module}: {name}"
        for module, name, scope in third_party
        if scope == "module" and module in loaded and name not in required
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
