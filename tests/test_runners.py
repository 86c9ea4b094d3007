"""The runner seam: joblib backends, worker configuration, early stops, checks."""

import threading
import time

import numpy as np
import pytest
from _recording import NoClassesClassifier
from joblib import parallel_config
from numpy.testing import assert_array_equal
from sklearn import config_context
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.linear_model import LinearRegression, LogisticRegression

from skdifficulty import DifficultyEstimator


def _scores(est, X, y, **fit_params):
    est.fit(X, y, **fit_params)
    return np.column_stack([est.difficulty_, est.variance_, est.n_evaluations_])


@pytest.mark.parametrize("backend", ["loky", "threading", "multiprocessing"])
def test_every_joblib_backend_gives_the_sequential_result(small_data, backend):
    X, y = small_data
    reference = _scores(DifficultyEstimator(n_repeats=2, random_state=0), X, y)
    est = DifficultyEstimator(n_repeats=2, random_state=0, n_jobs=2)
    with parallel_config(backend=backend):
        assert_array_equal(_scores(est, X, y), reference)


def test_a_backend_without_generators_still_runs_in_chunks(small_data):
    # joblib's multiprocessing backend refuses return_as="generator" even
    # with n_jobs=1 (so does Ray's); the runner falls back to chunks.
    X, y = small_data
    reference = _scores(DifficultyEstimator(cv=3, n_repeats=3, random_state=1), X, y)
    est = DifficultyEstimator(cv=3, n_repeats=3, random_state=1, n_jobs=1)
    with parallel_config(backend="multiprocessing", n_jobs=1):
        assert_array_equal(_scores(est, X, y), reference)


def test_workers_keep_metadata_routing(small_data):
    X, y = small_data
    w = np.linspace(0.5, 2, len(y))
    with config_context(enable_metadata_routing=True):
        model = LogisticRegression().set_fit_request(sample_weight=True)
        one = _scores(DifficultyEstimator(model, random_state=0), X, y, sample_weight=w)
        two = _scores(
            DifficultyEstimator(model, random_state=0, n_jobs=2),
            X,
            y,
            sample_weight=w,
        )
    assert_array_equal(one, two)


class _SlowFailing(ClassifierMixin, BaseEstimator):
    """Fails on its first fit; every fit that starts is counted."""

    started = []
    lock = threading.Lock()

    def fit(self, X, y):
        with self.lock:
            self.started.append(1)
            first = len(self.started) == 1
        if first:
            raise ArithmeticError("the first fit fails")
        time.sleep(0.05)
        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, X):
        return np.full((len(X), len(self.classes_)), 1 / len(self.classes_))


def test_an_error_stops_the_fits_that_have_not_started(small_data):
    X, y = small_data
    _SlowFailing.started.clear()
    est = DifficultyEstimator(_SlowFailing(), cv=5, n_repeats=8, n_jobs=2)
    with parallel_config(backend="threading"):
        # The first fit to start fails: fold 0 or 1, whichever thread is first.
        with pytest.raises(ArithmeticError, match=r"repeat 0, fold [01]: "):
            est.fit(X, y)
    time.sleep(0.3)  # let the fits already dispatched finish
    assert len(_SlowFailing.started) < 15  # of 40


class _Returns(ClassifierMixin, BaseEstimator):
    """A classifier whose predictions are whatever ``make`` returns."""

    def __init__(self, make=None, classes=None):
        self.make = make
        self.classes = classes

    def fit(self, X, y):
        self.classes_ = np.unique(y) if self.classes is None else self.classes
        return self

    def predict_proba(self, X):
        return self.make(len(X), len(self.classes_))

    def predict(self, X):
        return self.make(len(X), len(self.classes_))


def _uniform(n, k):
    return np.full((n, k), 1 / k)


BAD_PREDICTIONS = {
    "not summing to one": (
        dict(make=lambda n, k: np.full((n, k), 0.5)),
        "row 0 sums to 1.5, not 1",
    ),
    "negative": (
        dict(make=lambda n, k: np.tile([1.2, -0.2, 0.0], (n, 1))),
        r"outside \[0, 1\]",
    ),
    "too many columns": (
        dict(make=lambda n, k: np.full((n, k + 1), 1 / (k + 1))),
        r"shape \(\d+, 4\); expected \(\d+, 3\)",
    ),
    "too few rows": (
        dict(make=lambda n, k: _uniform(n - 1, k)),
        r"shape \(\d+, 3\) for \d+ samples",
    ),
    "unknown classes": (
        dict(make=_uniform, classes=np.array([0, 1, 7])),
        "hold 7, which is not a label of y",
    ),
    "text": (
        dict(make=lambda n, k: np.full((n, k), "a")),
        "not numbers",
    ),
}


@pytest.mark.parametrize("case", BAD_PREDICTIONS)
def test_bad_probabilities_are_refused_in_fit_naming_the_place(small_data, case):
    X, y = small_data
    params, match = BAD_PREDICTIONS[case]
    est = DifficultyEstimator(_Returns(**params), cv=3, n_repeats=1)
    with pytest.raises((ValueError, TypeError), match=match) as e:
        est.fit(X, y)
    assert "_Returns.predict_proba" in str(e.value)
    assert "repeat 0, fold 0" in str(e.value)
    assert "skorch" not in str(e.value)  # the hint is for nets only


def test_bad_probabilities_are_refused_in_transform(small_data):
    X, y = small_data
    model = _Returns(make=_uniform)
    est = DifficultyEstimator(model, cv=3, n_repeats=1).fit(X, y)
    est.estimators_[1].make = lambda n, k: np.full((n, k), np.nan)
    with pytest.raises(ValueError, match=r"estimators_\[1\].predict_proba returned "):
        est.transform(X)


def test_a_classifier_without_classes_is_named_with_the_missing_attribute(small_data):
    X, y = small_data
    est = DifficultyEstimator(NoClassesClassifier(), cv=3, n_repeats=1)
    match = (
        r"NoClassesClassifier.predict_proba came from a model with no classes_ "
        r"attribute after fit, .* fit must set classes_"
    )
    with pytest.raises(ValueError, match=match) as e:
        est.fit(X, y)
    assert "repeat 0, fold 0" in str(e.value)
    # zero_one reads labels, each checked against the classes of y.
    est.set_params(loss="zero_one", keep_estimators=True).fit(X, y)
    wrong = (NoClassesClassifier().fit(X, y).predict(X) != y).astype(float)
    assert_array_equal(est.difficulty_, wrong)
    assert est.transform(X).shape == (len(y), 1)  # label-free, for new samples


def test_labels_outside_the_classes_are_refused(small_data):
    X, y = small_data
    model = _Returns(make=lambda n, k: np.full(n, 5))
    est = DifficultyEstimator(model, cv=3, n_repeats=1, loss="zero_one")
    with pytest.raises(ValueError, match="returned the label 5, which is not one"):
        est.fit(X, y)


class _Wide(RegressorMixin, BaseEstimator):
    def fit(self, X, y):
        return self

    def predict(self, X):
        return np.zeros((len(X), 2))


def test_multi_column_regression_predictions_are_refused(small_data):
    X, y = small_data
    est = DifficultyEstimator(_Wide(), cv=3, n_repeats=1)
    with pytest.raises(ValueError, match=r"_Wide.predict returned an array of shape"):
        est.fit(X, y.astype(float))


def test_bad_predictions_are_skipped_like_failed_fits(small_data):
    X, y = small_data
    calls = []

    def sometimes_bad(n, k):
        calls.append(1)
        return np.full((n, k), 0.9) if len(calls) == 2 else _uniform(n, k)

    est = DifficultyEstimator(
        _Returns(make=sometimes_bad), cv=3, n_repeats=2, on_error="skip"
    )
    with pytest.warns(match="1 of 6 resampled fits failed"):
        est.fit(X, y)
    assert est.n_failed_fits_ == 1
    assert LinearRegression  # the regression twin is tested above
