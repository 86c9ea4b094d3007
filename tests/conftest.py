"""Fixtures shared by the test modules.

``data``
    Three classes, 120 samples. A module that needs other data defines its
    own ``data`` fixture, which takes precedence in that module.
``quick_difficulty``
    The cheap difficulty estimator: a factory for a seeded plan of one
    repeat of 3 folds, ``quick_difficulty(estimator=None, **params)``.

What a module needs while it is imported (a base class to subclass, values
to parametrize over) cannot be a fixture; it lives in the helper modules
beside this file, which every module imports the same way::

    from _recording import RecordingClassifier  # small scikit-learn estimators
    from _nets import DEVICES, SeededLinear  # torch modules and devices

pytest's default ("prepend") import mode puts this folder on ``sys.path``
when it imports this file, before any test module. ``_nets`` imports torch:
import it after ``pytest.importorskip("torch")``; the conftest.py at the
repository root keeps ``--doctest-modules`` from collecting it without torch.
"""

import pytest
from sklearn.datasets import make_classification

from skdifficulty import DifficultyEstimator


@pytest.fixture
def data():
    """Three classes, 120 samples of 5 features."""
    return make_classification(
        n_samples=120, n_features=5, n_informative=3, n_classes=3, random_state=0
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
