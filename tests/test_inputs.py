"""Inputs that scikit-learn supports: groups, precomputed kernels, one-shot cv,
refits, and the errors that name what is wrong.

The split plans themselves (groups in every plan included) are tested in
test_resampling.py.
"""

import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import config_context
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.metrics.pairwise import linear_kernel
from sklearn.model_selection import (
    GroupKFold,
    StratifiedGroupKFold,
    StratifiedKFold,
)
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import SVC
from sklearn.utils._param_validation import InvalidParameterError

from skdifficulty import DifficultyEstimator


@pytest.fixture(scope="module")
def grouped_data():
    X, y = make_classification(
        n_samples=90,
        n_features=5,
        n_informative=3,
        n_classes=3,
        class_sep=2.0,
        random_state=0,
    )
    groups = np.repeat(np.arange(30), 3)
    return X, y, groups


@pytest.mark.parametrize("splitter", [GroupKFold(3), StratifiedGroupKFold(3)])
def test_groups_reach_a_group_splitter(grouped_data, splitter):
    X, y, groups = grouped_data
    est = DifficultyEstimator(cv=splitter, random_state=0).fit(X, y, groups=groups)
    assert_array_equal(est.n_evaluations_, np.ones(len(y)))
    # The same as scoring each fold by hand.
    expected = np.zeros(len(y))
    for train, test in splitter.split(X, y, groups):
        model = clone(est._base_estimator(sparse=False)).fit(X[train], y[train])
        proba = model.predict_proba(X[test])
        expected[test] = -np.log(
            np.clip(proba[np.arange(len(test)), y[test]], 1e-15, 1)
        )
    assert_allclose(est.difficulty_, expected, rtol=1e-6)


def test_groups_keep_near_copies_from_hiding_a_wrong_label(grouped_data):
    # Each group: three near-copies of one sample, with one label; a wrong
    # label is wrong on all three. Without groups, a copy's twins sit in the
    # training part and vouch for the wrong label.
    X, y, groups = grouped_data
    rng = np.random.RandomState(0)
    base = np.repeat(np.arange(0, 90, 3), 3)
    X_copies = X[base] + 1e-3 * rng.randn(*X.shape)
    y_copies = y[base].copy()
    wrong = np.isin(groups, rng.choice(30, size=8, replace=False))
    y_copies[wrong] = (y_copies[wrong] + 1) % 3
    knn = KNeighborsClassifier(n_neighbors=1)
    plain = DifficultyEstimator(knn, random_state=0, n_repeats=2)
    grouped = clone(plain)
    plain.fit(X_copies, y_copies)
    grouped.fit(X_copies, y_copies, groups=groups)
    plain_auroc = roc_auc_score(wrong, plain.difficulty_)
    grouped_auroc = roc_auc_score(wrong, grouped.difficulty_)
    assert plain_auroc < 0.5  # the copies hide the wrong labels
    assert grouped_auroc > plain_auroc + 0.25


def test_groups_of_the_wrong_length_are_refused(grouped_data):
    X, y, groups = grouped_data
    with pytest.raises(ValueError, match="groups must be one label per sample: 90"):
        DifficultyEstimator().fit(X, y, groups=groups[:-1])


def test_a_precomputed_kernel_gives_the_difficulty_of_its_features(grouped_data):
    X, y, _ = grouped_data
    gram = linear_kernel(X)
    on_features = DifficultyEstimator(
        SVC(kernel="linear", probability=True, random_state=0),
        n_repeats=1,
        cv=3,
        random_state=0,
    ).fit(X, y)
    on_kernel = DifficultyEstimator(
        SVC(kernel="precomputed", probability=True, random_state=0),
        n_repeats=1,
        cv=3,
        random_state=0,
    ).fit(gram, y)
    assert_allclose(on_kernel.difficulty_, on_features.difficulty_, rtol=1e-5)
    new = X[:4] + 0.1
    assert_allclose(
        on_kernel.transform(linear_kernel(new, X)),
        on_features.transform(new),
        rtol=1e-5,
    )
    assert on_kernel.__sklearn_tags__().input_tags.pairwise


def test_a_one_shot_cv_is_read_once_and_kept_for_refits_clones_and_pickles(
    grouped_data,
):
    X, y, _ = grouped_data
    splits = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    reference = DifficultyEstimator(cv=splits).fit(X, y)
    est = DifficultyEstimator(cv=(split for split in splits))
    assert_array_equal(est.fit(X, y).difficulty_, reference.difficulty_)
    assert_array_equal(est.fit(X, y).difficulty_, reference.difficulty_)
    assert_array_equal(clone(est).fit(X, y).difficulty_, reference.difficulty_)
    fresh = DifficultyEstimator(cv=iter(splits))
    restored = pickle.loads(pickle.dumps(fresh))
    assert_array_equal(restored.fit(X, y).difficulty_, reference.difficulty_)


def test_a_cv_index_out_of_range_is_named(grouped_data):
    X, y, _ = grouped_data
    cv = [(np.arange(60), np.arange(60, 95))]
    with pytest.raises(ValueError, match="test index 90, out of range for 90"):
        DifficultyEstimator(cv=cv).fit(X, y)


@pytest.mark.parametrize(
    "labels, match",
    [
        (np.array([1, "a", 2] * 30, dtype=object), r"mixes labels of types \['int'"),
        (np.array(["a", None, "b"] * 30, dtype=object), "30 missing labels"),
        (np.array(["a", np.nan, "b"] * 30, dtype=object), "the first at index 1"),
    ],
)
def test_mixed_or_missing_labels_are_named(grouped_data, labels, match):
    X, _, _ = grouped_data
    with pytest.raises(ValueError, match=match):
        DifficultyEstimator().fit(X, labels)


@pytest.mark.parametrize("resampling", ["kfold", "bootstrap", "subsample"])
def test_x_and_y_of_different_lengths_are_refused_in_every_plan(
    grouped_data, resampling
):
    X, y, _ = grouped_data
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        DifficultyEstimator(resampling=resampling).fit(X, y[:-5])


def test_a_refit_starts_clean(grouped_data):
    X, y, _ = grouped_data
    est = DifficultyEstimator(n_repeats=1, cv=3).fit(X, y)
    assert hasattr(est, "heldout_proba_") and hasattr(est, "estimators_")
    est.set_params(estimator=LinearRegression()).fit(X, y.astype(float))
    assert not hasattr(est, "heldout_proba_") and not hasattr(est, "classes_")
    est.set_params(keep_estimators=False).fit(X, y.astype(float))
    assert not hasattr(est, "estimators_")


def test_a_failed_refit_leaves_no_mixed_state(grouped_data):
    X, y, _ = grouped_data
    est = DifficultyEstimator(LogisticRegression(), n_repeats=1, cv=3).fit(X, y)
    with pytest.raises(ValueError):
        est.fit(X, np.where(y == 0, 7, y), groups=np.arange(5))
    assert not [name for name in vars(est) if name.endswith("_")]


def test_overflowing_regression_difficulty_is_reported(grouped_data):
    X, y, _ = grouped_data
    target = 1e160 * (y.astype(float) - 1)
    with pytest.raises(ValueError, match="overflowed to inf.*Scale the targets"):
        DifficultyEstimator(LinearRegression(), n_repeats=1, cv=3).fit(X, target)


def test_parameter_validation_honours_skip_parameter_validation(grouped_data):
    X, y, _ = grouped_data
    est = DifficultyEstimator(keep_estimators=1, n_repeats=1, cv=3)
    with pytest.raises(InvalidParameterError, match="keep_estimators"):
        est.fit(X, y)
    with config_context(skip_parameter_validation=True):
        assert len(est.fit(X, y).estimators_) == 3
