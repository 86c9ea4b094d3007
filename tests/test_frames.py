"""DataFrames other than pandas stay DataFrames through the resampled fits."""

import sys

import numpy as np
import pytest
import sklearn
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.compose import make_column_transformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdifficulty import (
    DifficultyEstimator,
    DifficultyWeightedClassifier,
    DifficultyWeightedRegressor,
)
from skdifficulty.utils._validation import check_features, is_dataframe

COLUMNS = ["a", "b", "c"]


class _Pandas:
    def __init__(self):
        self.pd = pytest.importorskip("pandas")

    def frame(self, data):
        return self.pd.DataFrame(data)

    def select(self, X, columns):
        return X[columns]

    def head(self, X, n):
        return X.iloc[:n]

    def copy(self, X):
        return X.copy(deep=True)

    def assert_equal(self, X, expected):
        self.pd.testing.assert_frame_equal(X, expected)


class _Polars:
    def __init__(self):
        self.pl = pytest.importorskip("polars")
        from polars.testing import assert_frame_equal

        self._assert_frame_equal = assert_frame_equal

    def frame(self, data):
        return self.pl.DataFrame(data)

    def select(self, X, columns):
        return X.select(columns)

    def head(self, X, n):
        return X.head(n)

    def copy(self, X):
        return X.clone()

    def assert_equal(self, X, expected):
        self._assert_frame_equal(X, expected)


class _Pyarrow:
    def __init__(self):
        self.pa = pytest.importorskip("pyarrow")

    def frame(self, data):
        return self.pa.table(data)

    def select(self, X, columns):
        return X.select(columns)

    def head(self, X, n):
        return X.slice(0, n)

    def copy(self, X):
        return self.pa.table({name: X[name] for name in X.column_names})

    def assert_equal(self, X, expected):
        assert X.equals(expected, check_metadata=True)


LIBRARIES = {"pandas": _Pandas, "polars": _Polars, "pyarrow": _Pyarrow}


@pytest.fixture(params=list(LIBRARIES))
def lib(request):
    lib = LIBRARIES[request.param]()
    frame = lib.frame({"a": [0.0, 1.0], "b": [1.0, 0.0]})
    try:
        make_column_transformer((StandardScaler(), ["a"])).fit(frame)
    except Exception as error:  # scikit-learn's own limit, not ours
        pytest.skip(
            f"scikit-learn {sklearn.__version__} cannot select the columns of a "
            f"{request.param} frame by name ({type(error).__name__}: {error})"
        )
    return lib


@pytest.fixture
def named_columns():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    # Only the named columns a and b carry the signal; c is noise.
    y = (X[:, 0] - X[:, 1] + 0.5 * rng.normal(size=60) > 0).astype(int)
    return {name: X[:, i] for i, name in enumerate(COLUMNS)}, y


def by_name():
    """A pipeline that selects its columns by name, as only a DataFrame allows."""
    return make_pipeline(
        make_column_transformer((StandardScaler(), ["a", "b"]), remainder="drop"),
        LogisticRegression(),
    )


def difficulty_estimator(**params):
    return DifficultyEstimator(by_name(), n_repeats=1, random_state=0, **params)


def test_frames_are_recognised_without_conversion(lib, named_columns):
    X = lib.frame(named_columns[0])
    assert is_dataframe(X)
    assert check_features(X) is X
    assert not is_dataframe(np.ones((2, 2)))
    assert not is_dataframe(named_columns[0])  # a dict of columns is not a frame


def test_the_check_imports_no_dataframe_library(monkeypatch):
    # Pretend polars was never imported: recognising frames must not import it.
    monkeypatch.delitem(sys.modules, "polars", raising=False)
    assert not is_dataframe(np.ones((2, 2)))
    assert "polars" not in sys.modules


def test_column_transformer_selects_columns_by_name_in_every_fold(lib, named_columns):
    pd = pytest.importorskip("pandas")
    columns, y = named_columns
    est = difficulty_estimator().fit(lib.frame(columns), y)
    assert_array_equal(est.feature_names_in_, COLUMNS)
    assert est.n_features_in_ == 3
    assert est.n_failed_fits_ == 0
    reference = difficulty_estimator().fit(pd.DataFrame(columns), y)
    assert_allclose(est.difficulty_, reference.difficulty_, rtol=1e-10)
    assert_allclose(
        est.transform(lib.frame(columns)),
        reference.transform(pd.DataFrame(columns)),
        rtol=1e-10,
    )


def test_transform_refuses_reordered_columns(lib, named_columns):
    columns, y = named_columns
    est = difficulty_estimator().fit(lib.frame(columns), y)
    reordered = lib.select(lib.frame(columns), ["c", "b", "a"])
    with pytest.raises(ValueError, match="feature names should match"):
        est.transform(reordered)
    # One new sample is enough to score.
    assert est.transform(lib.head(lib.frame(columns), 1)).shape == (1, 3)


def test_an_empty_frame_is_refused_with_the_array_message(lib, named_columns):
    columns, y = named_columns
    empty = lib.head(lib.frame(columns), 0)
    with pytest.raises(ValueError, match=r"Found array with 0 sample\(s\)"):
        difficulty_estimator().fit(empty, y[:0])
    est = difficulty_estimator().fit(lib.frame(columns), y)
    with pytest.raises(ValueError, match=r"Found array with 0 sample\(s\)"):
        est.transform(empty)


def test_a_frame_without_columns_is_refused_saying_x_has_no_features(
    lib, named_columns
):
    columns, y = named_columns
    empty = lib.select(lib.frame(columns), [])
    if empty.shape[0] == 0:
        pytest.skip("a frame without columns has no rows either in this library")
    match = (
        r"X has 0 features: found a DataFrame with 0 feature\(s\) \(shape=\(60, 0\)\)"
        " .* Give X at least one feature column"
    )
    for model, target in (
        (DifficultyEstimator(), y),
        (DifficultyWeightedClassifier(), y),
        (DifficultyWeightedRegressor(), y.astype(float)),
    ):
        with pytest.raises(ValueError, match=match):
            model.fit(empty, target)
    # An array without columns: scikit-learn's own message, which its checks
    # expect, after what is wrong.
    with pytest.raises(ValueError, match=r"X has 0 features: found array with 0 fe"):
        DifficultyWeightedClassifier().fit(np.ones((60, 0)), y)


@pytest.mark.parametrize("estimator", [by_name, None], ids=["by_name", "default"])
def test_weighted_classifier_fits_and_predicts_on_a_frame(
    lib, named_columns, estimator
):
    pd = pytest.importorskip("pandas")
    columns, y = named_columns

    def fit(X):
        clf = DifficultyWeightedClassifier(
            estimator and estimator(),
            difficulty_estimator=DifficultyEstimator(n_repeats=1),
            random_state=0,
        )
        return clf.fit(X, y, sample_weight=np.linspace(0.5, 2, 60))

    X = lib.frame(columns)
    clf = fit(X)
    assert_array_equal(clf.feature_names_in_, COLUMNS)
    assert_array_equal(clf.difficulty_estimator_.feature_names_in_, COLUMNS)
    assert clf.predict(X).shape == (60,)
    assert clf.score(X, y) > 0.7
    reference = fit(pd.DataFrame(columns))
    assert_allclose(clf.sample_weight_, reference.sample_weight_, rtol=1e-10)
    assert_allclose(
        clf.predict_proba(X), reference.predict_proba(pd.DataFrame(columns)), rtol=1e-8
    )


def test_the_callers_frame_is_not_modified(lib, named_columns):
    columns, y = named_columns
    X = lib.frame(columns)
    before = lib.copy(X)
    est = difficulty_estimator().fit(X, y)
    est.transform(X)
    DifficultyWeightedClassifier(
        by_name(), difficulty_estimator=DifficultyEstimator(n_repeats=1), random_state=0
    ).fit(X, y)
    lib.assert_equal(X, before)
