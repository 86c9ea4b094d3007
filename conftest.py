"""Collection settings shared by the test suite and the package doctests."""

import importlib.util

try:
    import matplotlib
except ImportError:  # plotting is an optional extra
    pass
else:
    # Tests and doctests never open a window.
    matplotlib.use("Agg")

# Not test code: built or executed by Sphinx and the benchmark scripts.
# tests/_ray_checks.py and the pytest plugin tests/_skorch_twins.py run in
# processes of their own (see test_ray.py and test_skorch_suite.py).
collect_ignore = [
    "doc",
    "examples",
    "benchmarks",
    "tests/_ray_checks.py",
    "tests/_skorch_twins.py",
]


def _importable(name):
    """Whether ``name`` can be imported, without importing it (torch is slow)."""
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


# These modules import torch at module level, so
# --doctest-modules must skip them when either optional dependency is missing.
if not all(_importable(name) for name in ("torch", "skorch")):
    collect_ignore += [
        "skdifficulty/skorch.py",
        "skdifficulty/dynamics.py",
        "skdifficulty/nets",
        "tests/_nets.py",
        "tests/test_dynamics.py",
    ]
