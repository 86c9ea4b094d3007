"""A pytest plugin: skorch's own tests, with the weighted twins in skorch's place.

``test_skorch_suite.py`` runs pytest on skorch's installed tests in a process
of its own with ``-p _skorch_twins``. With ``SKDIFFICULTY_SKORCH_NETS=twins``
the names ``skorch.NeuralNetClassifier``, ``skorch.NeuralNetRegressor``,
``skorch.NeuralNetBinaryClassifier`` (also as
``skorch.classifier.NeuralNetBinaryClassifier``) and ``skorch.NeuralNet``
(also ``skorch.net.NeuralNet``) are the weighted twins while the tests run:
skorch's tests import them from there, mostly inside the test functions.
With ``SKDIFFICULTY_SKORCH_NETS=skorch`` nothing is replaced (the reference
run). Each test's outcome goes to the JSON file ``SKDIFFICULTY_OUTCOMES``.

Not replaced, because skorch's own code names them when it runs
(``super(NeuralNetClassifier, self)``): ``skorch.classifier.NeuralNetClassifier``
and ``skorch.regressor.NeuralNetRegressor``; a twin there would call itself.
"""

import functools
import inspect
import json
import os
import sys
import types

import pytest

# Tests that only compare a message or repr with the class's name
# ("NeuralNetClassifier" where the twin says "WeightedNeuralNetClassifier").
NAME_TESTS = [
    "test_net.py::TestNeuralNet::test_not_init_raises",
    "test_net.py::TestNeuralNet::test_not_fitted_raises",
    "test_net.py::TestNeuralNet::test_repr_uninitialized_works",
    "test_net.py::TestNeuralNet::test_repr_initialized_works",
    "test_net.py::TestNeuralNet::test_repr_fitted_works",
    "test_classifier.py::TestNeuralNet::test_pass_empty_classes_raises",
    "test_classifier.py::TestNeuralNet::test_error_when_classes_could_not_be_inferred",
    "test_classifier.py::TestNeuralNetBinaryClassifier::test_not_init_raises",
    "test_classifier.py::TestNeuralNetBinaryClassifier::test_not_fitted_raises",
    "test_regressor.py::TestNeuralNetRegressor::test_not_init_raises",
    "test_regressor.py::TestNeuralNetRegressor::test_not_fitted_raises",
]
# A documented difference: the test's own train_step calls ``criterion_``
# directly and needs a scalar, where a weighted net's criterion_ is built
# with reduction="none" (the weighted nets' docs say so).
DIFFERENT = [
    "test_net.py::TestNeuralNet::"
    "test_customize_net_with_custom_dataset_that_returns_3_values",
]
# Left out in both runs for their cost alone (about half of the whole run):
# they time torch.compile on the module, which the twins hand to skorch as is.
COSTLY = [
    "test_net.py::TestTorchCompile::test_fit_and_predict_with_compile",
    "test_net.py::TestTorchCompile::test_binary_classifier_with_compile",
]

_outcomes = {}
_tests_with_twins = set()
_current = [None]
_nets = {}  # name -> (skorch's class, its twin)


def _flaky_stand_in():
    """test_net.py imports ``flaky``: rerun a failing test, as it does.

    Its flaky tests draw a seed from the clock (an LBFGS fit that must
    reach a given accuracy), so a single run fails now and then.
    """

    def flaky(max_runs=2, min_passes=1, **kwargs):
        def decorate(test):
            @functools.wraps(test)  # keeps the signature: pytest's fixtures
            def rerun(*args, **kwargs):
                for _ in range(max_runs - 1):
                    try:
                        return test(*args, **kwargs)
                    except AssertionError:
                        pass
                return test(*args, **kwargs)

            return rerun

        return decorate

    module = types.ModuleType("flaky")
    module.flaky = flaky
    return module


def pytest_configure(config):
    try:
        import flaky  # noqa: F401
    except ImportError:
        sys.modules["flaky"] = _flaky_stand_in()
    import torch

    torch.set_num_threads(1)
    if os.environ.get("SKDIFFICULTY_SKORCH_NETS") != "twins":
        return
    import skorch
    import skorch.classifier
    import skorch.net

    from skdifficulty import skorch as weighted

    _nets.update(
        NeuralNet=(skorch.NeuralNet, weighted.weighted_net_class(skorch.NeuralNet)),
        NeuralNetClassifier=(
            skorch.NeuralNetClassifier,
            weighted.WeightedNeuralNetClassifier,
        ),
        NeuralNetRegressor=(
            skorch.NeuralNetRegressor,
            weighted.WeightedNeuralNetRegressor,
        ),
        NeuralNetBinaryClassifier=(
            skorch.NeuralNetBinaryClassifier,
            weighted.WeightedNeuralNetBinaryClassifier,
        ),
    )
    for name, (_, twin) in _nets.items():
        setattr(skorch, name, twin)
    skorch.net.NeuralNet = _nets["NeuralNet"][1]
    skorch.classifier.NeuralNetBinaryClassifier = _nets["NeuralNetBinaryClassifier"][1]

    # Which tests build a twin at all: the calling test proves the
    # replacement took effect.
    build = weighted.SampleWeightMixin.initialize_criterion

    @functools.wraps(build)
    def initialize_criterion(self):
        _tests_with_twins.add(_current[0])
        return build(self)

    weighted.SampleWeightMixin.initialize_criterion = initialize_criterion


def _left_out(nodeid, twins):
    name = nodeid.split("[")[0]
    listed = COSTLY + (NAME_TESTS + DIFFERENT if twins else [])
    return any(name.endswith(test) for test in listed)


def pytest_collection_modifyitems(config, items):
    twins = bool(_nets)
    kept = [item for item in items if not _left_out(item.nodeid, twins)]
    deselected = [item for item in items if _left_out(item.nodeid, twins)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


def _patches_neural_net(item):
    """Whether the test, or a fixture it uses, patches a skorch.NeuralNet method.

    Such a test (``patch('skorch.NeuralNet.save_params')``) expects every
    net class to see the patch; the twins derive from skorch's NeuralNet,
    not from its twin, so the test keeps skorch's NeuralNet.
    """
    functions = [getattr(item, "function", None)]
    fixtures = getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", {})
    functions += [definitions[-1].func for definitions in fixtures.values()]
    for function in functions:
        try:
            if "skorch.NeuralNet." in inspect.getsource(function):
                return True
        except (TypeError, OSError):
            continue
    return False


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    _current[0] = item.nodeid
    if _nets:
        import skorch
        import skorch.net

        original, twin = _nets["NeuralNet"]
        net = original if _patches_neural_net(item) else twin
        skorch.NeuralNet = skorch.net.NeuralNet = net


def pytest_runtest_logreport(report):
    if report.failed:
        outcome = "failed"
    elif report.skipped:
        outcome = "xfailed" if hasattr(report, "wasxfail") else "skipped"
    elif report.when == "call":
        outcome = "passed"
    else:
        return
    if _outcomes.get(report.nodeid) != "failed":  # a failed teardown stays failed
        _outcomes[report.nodeid] = outcome


def pytest_collectreport(report):
    if report.failed:  # e.g. a test module that imports a missing package
        _outcomes[report.nodeid] = "failed"


def pytest_sessionfinish(session):
    path = os.environ.get("SKDIFFICULTY_OUTCOMES")
    if path:
        with open(path, "w") as file:
            json.dump(
                {"outcomes": _outcomes, "tests_with_twins": sorted(_tests_with_twins)},
                file,
            )
