"""What the meta-estimators accept: groups, one-shot cv, the task's default."""

import pickle

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.base import clone
from sklearn.datasets import make_classification, make_regression
from sklearn.model_selection import KFold, StratifiedKFold

from skdifficulty import (
    DifficultyEstimator,
    DifficultyWeightedClassifier,
    DifficultyWeightedRegressor,
)


@pytest.fixture(scope="module")
def classification():
    return make_classification(
        n_samples=90, n_features=5, n_informative=3, n_classes=3, random_state=0
    )


def test_the_regressors_difficulty_default_follows_the_task():
    X, y = make_regression(n_samples=80, n_features=4, noise=5.0, random_state=0)
    counts = np.round(np.abs(y)).astype(int)  # integer targets look like classes
    reg = DifficultyWeightedRegressor(
        difficulty=DifficultyEstimator(n_repeats=1, cv=3), random_state=0
    ).fit(X, counts)
    assert reg.difficulty_estimator_.loss_ == "squared_error"
    assert not hasattr(reg.difficulty_estimator_, "classes_")


def test_a_classifier_refuses_continuous_targets_before_any_fit(classification):
    X, _ = classification
    clf = DifficultyWeightedClassifier(difficulty=DifficultyEstimator(n_repeats=1))
    with pytest.raises(ValueError, match="Unknown label type: continuous"):
        clf.fit(X, X[:, 0])


def test_groups_reach_the_difficulty(classification):
    X, y = classification
    groups = np.repeat(np.arange(30), 3)
    difficulty = DifficultyEstimator(n_repeats=1, cv=3, random_state=0)
    clf = DifficultyWeightedClassifier(difficulty=difficulty).fit(X, y, groups=groups)
    expected = clone(difficulty).fit(X, y, groups=groups).difficulty_
    assert_array_equal(clf.difficulty_, expected)
    assert not np.array_equal(clf.difficulty_, clone(difficulty).fit(X, y).difficulty_)


@pytest.mark.parametrize("make", ["classifier", "regressor"])
def test_a_meta_estimator_with_a_one_shot_cv_refits_clones_and_pickles(
    classification, make
):
    X, y = classification
    splitter = StratifiedKFold(3) if make == "classifier" else KFold(3)
    splits = list(splitter.split(X, y))
    meta = (
        DifficultyWeightedClassifier
        if make == "classifier"
        else DifficultyWeightedRegressor
    )
    target = y if make == "classifier" else y.astype(float)
    reference = meta(difficulty=DifficultyEstimator(cv=splits)).fit(X, target)
    model = meta(difficulty=DifficultyEstimator(cv=iter(splits)))
    assert_array_equal(model.fit(X, target).difficulty_, reference.difficulty_)
    assert_array_equal(model.fit(X, target).difficulty_, reference.difficulty_)
    assert_array_equal(clone(model).fit(X, target).difficulty_, reference.difficulty_)
    restored = pickle.loads(pickle.dumps(model))
    assert_array_equal(restored.predict(X), model.predict(X))
    fresh = pickle.loads(
        pickle.dumps(meta(difficulty=DifficultyEstimator(cv=iter(splits))))
    )
    assert_array_equal(fresh.fit(X, target).difficulty_, reference.difficulty_)


@pytest.mark.parametrize(
    "meta", [DifficultyWeightedClassifier, DifficultyWeightedRegressor]
)
def test_the_old_name_difficulty_still_works_with_a_future_warning(
    classification, meta
):
    X, y = classification
    target = y if meta is DifficultyWeightedClassifier else y.astype(float)
    difficulty = DifficultyEstimator(n_repeats=1, cv=3, random_state=0)
    new = meta(difficulty_estimator=difficulty).fit(X, target)
    with pytest.warns(FutureWarning, match="renamed difficulty_estimator"):
        old = meta(difficulty=difficulty).fit(X, target)
    assert_array_equal(old.difficulty_, new.difficulty_)
    with pytest.raises(ValueError, match="Both difficulty_estimator and"):
        meta(difficulty=difficulty, difficulty_estimator=difficulty).fit(X, target)


def test_the_two_meta_estimators_document_their_shared_parameters_alike():
    pytest.importorskip("numpydoc")
    from sklearn.utils._testing import assert_docstring_consistency

    assert_docstring_consistency(
        [DifficultyWeightedClassifier, DifficultyWeightedRegressor],
        include_params=[
            "difficulty_estimator",
            "strength",
            "scale",
            "refine",
            "random_state",
            "difficulty",
        ],
        include_attrs=[
            "estimator_",
            "difficulty_estimator_",
            "difficulty_",
            "sample_weight_",
            "n_features_in_",
            "feature_names_in_",
        ],
    )


def test_compute_sample_weight_is_the_weighting_that_fit_uses(classification):
    X, y = classification
    clf = DifficultyWeightedClassifier(
        difficulty_estimator=DifficultyEstimator(n_repeats=1, cv=3),
        weighting="easy_first",
        strength=2.0,
        scale="standard",
    ).fit(X, y)
    weights = clf.compute_sample_weight(clf.difficulty_estimator_, y)
    assert_array_equal(weights, clf.sample_weight_)
    ranked = clf.set_params(scale="rank").compute_sample_weight(
        clf.difficulty_estimator_, y
    )
    assert not np.allclose(ranked, weights)
