"""The package's layout: public paths, import direction, module sizes.

The rules are those of ``doc/development.rst``: areas in folders, imports that
run one way, no module lending its private names from a public face, and
modules small enough to read whole.
"""

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest
from _module_graph import PACKAGE, imports, is_ours, modules

MAX_LINES = 700
MAX_TOP_LEVEL_MODULES = 12
MAX_ESTIMATOR_LINES = 400

PUBLIC_PATHS = {
    "skdifficulty": ["DifficultyEstimator", "DifficultyWeightedClassifier"],
    "skdifficulty.datasets": ["load_noisy_digits", "flip_labels"],
    "skdifficulty.plotting": ["DifficultyDisplay", "DataMapDisplay"],
    "skdifficulty.skorch": ["WeightedNeuralNetClassifier", "as_weighted_net"],
    "skdifficulty.dynamics": ["DynamicWeights", "TrainingDynamics"],
}
# The areas that may import nothing but themselves and third-party code.
SELF_CONTAINED = ("skdifficulty.utils",)


def _imports():
    """``{module: [(imported module, [names])]}`` of the package's imports of
    its own modules, function-level ones included."""
    found = {module: [] for module in modules()}
    for edge in imports():
        if is_ours(edge.target):
            found[edge.module].append((edge.target, edge.names))
    return found


def _is_public(module):
    return not any(part.startswith("_") for part in module.split("."))


def test_every_public_path_imports():
    for path, names in PUBLIC_PATHS.items():
        module = importlib.import_module(path)
        assert set(names) <= set(module.__all__), path
        for name in module.__all__:
            assert getattr(module, name) is not None, f"{path}.{name}"


def test_python_dash_m_runs_the_command_line():
    result = subprocess.run(
        [sys.executable, "-m", "skdifficulty", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.startswith("skdifficulty ")


def test_the_import_graph_is_found():
    imports = _imports()
    faces = {target for target, _ in imports["skdifficulty.skorch"]}
    assert faces == {"skdifficulty.nets._weighted"}
    # a function-level import is an edge too
    routing = {target for target, _ in imports["skdifficulty._routing"]}
    assert "skdifficulty.nets._weighted" in routing


def test_no_import_cycle():
    imports = {
        module: {target for target, _ in edges if target != module}
        for module, edges in _imports().items()
    }
    cycles, state = [], {}

    def visit(module, trail):
        state[module] = "open"
        for target in sorted(imports.get(module, ())):
            if state.get(target) == "open":
                cycles.append(trail[trail.index(target) :] + [target])
            elif target not in state:
                visit(target, trail + [target])
        state[module] = "done"

    for module in sorted(imports):
        if module not in state:
            visit(module, [module])
    assert not cycles, "\n".join(" -> ".join(cycle) for cycle in cycles)


def test_no_private_name_from_a_public_module():
    borrowed = [
        f"{module} imports {name} from {target}"
        for module, edges in _imports().items()
        for target, names in edges
        if _is_public(target)
        for name in names
        if name.startswith("_") and not name.startswith("__")
    ]
    assert not borrowed, "\n".join(borrowed)


@pytest.mark.parametrize("area", SELF_CONTAINED)
def test_shared_utilities_import_nothing_above_them(area):
    upward = [
        f"{module} imports {target}"
        for module, edges in _imports().items()
        if module.startswith(area)
        for target, _ in edges
        if not target.startswith(area)
    ]
    assert not upward, "\n".join(upward)


def test_modules_are_short_enough_to_read_whole():
    too_long = {
        module: n_lines
        for module, path in modules().items()
        if (n_lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not too_long, too_long


def test_few_modules_at_the_top_level():
    top_level = sorted(path.name for path in PACKAGE.glob("*.py"))
    assert len(top_level) <= MAX_TOP_LEVEL_MODULES, top_level


def test_the_estimator_class_is_short():
    from skdifficulty import DifficultyEstimator

    path = Path(sys.modules[DifficultyEstimator.__module__].__file__)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    (node,) = [
        node
        for node in tree.body
        if isinstance(node, ast.ClassDef) and node.name == "DifficultyEstimator"
    ]
    assert node.end_lineno - node.lineno + 1 < MAX_ESTIMATOR_LINES


def test_importing_the_package_imports_no_torch():
    code = (
        "import sys, skdifficulty, skdifficulty.plotting, skdifficulty.datasets, "
        "skdifficulty.cli; "
        "assert 'torch' not in sys.modules and 'skorch' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
