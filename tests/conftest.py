"""Fixtures shared by the test modules.

``data``
    Three classes, 120 samples of 5 features.
``small_data``
    The same recipe with 90 samples.
``four_feature_data``
    Three classes, 90 samples of 4 features, none redundant.
``quick_difficulty``
    The cheap difficulty estimator: a factory for a seeded plan of one
    repeat of 3 folds, ``quick_difficulty(estimator=None, **params)``.
``resampled_fits``
    The resampled fits that start during the test, counted.

A module whose data differs from these names its own fixture after how.

What a module needs while it is imported (a base class to subclass, values
to parametrize over) cannot be a fixture; it lives, with the plain values and
functions that several modules share, in the helper modules beside this
file, which every module imports the same way::

    from _recording import RecordingClassifier  # small scikit-learn estimators
    from _nets import DEVICES, SeededLinear  # torch modules and devices
    from _columns import TABLE_COLUMNS  # the columns of the tables written
    from _module_graph import imports  # the package's modules and imports

pytest's default ("prepend") import mode puts this folder on ``sys.path``
when it imports this file, before any test module. ``_nets`` imports torch:
import it after ``pytest.importorskip("torch")``; the conftest.py at the
repository root keeps ``--doctest-modules`` from collecting it without torch.
"""

import pytest
from sklearn.datasets import make_classification

import skdifficulty.estimate._runners as runners_module
from skdifficulty import DifficultyEstimator


@pytest.fixture
def data():
    """Three classes, 120 samples of 5 features."""
    return make_classification(
        n_samples=120, n_features=5, n_informative=3, n_classes=3, random_state=0
    )


@pytest.fixture(scope="module")
def small_data():
    """Three classes, 90 samples of 5 features: ``data`` with fewer samples."""
    return make_classification(
        n_samples=90, n_features=5, n_informative=3, n_classes=3, random_state=0
    )


@pytest.fixture
def four_feature_data():
    """Three classes, 90 samples of 4 features: 3 informative, 1 of noise."""
    return make_classification(
        n_samples=90,
        n_features=4,
        n_informative=3,
        n_redundant=0,
        n_classes=3,
        random_state=0,
    )


def _quick_difficulty(estimator=None, **params):
    """A cheap, seeded plan: one repeat of 3 folds, fitted one by one (a net
    too: the tests count and inspect its resampled fits); ``params``
    override it."""
    params = {
        "n_repeats": 1,
        "cv": 3,
        "engine": "sequential",
        "random_state": 0,
        **params,
    }
    return DifficultyEstimator(estimator, **params)


@pytest.fixture
def quick_difficulty():
    """Factory of the cheap difficulty estimator (see ``_quick_difficulty``)."""
    return _quick_difficulty


@pytest.fixture
def resampled_fits(monkeypatch):
    """One entry for each resampled fit that starts in this process.

    Wraps ``fit_and_predict``, which the sequential engine calls once per fit
    (a list, as appending is safe from threads).
    """
    calls = []
    original = runners_module.fit_and_predict

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(runners_module, "fit_and_predict", counting)
    return calls
