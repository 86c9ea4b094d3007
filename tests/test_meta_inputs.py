"""What the meta-estimators accept: groups, one-shot cv, the task's default."""

import pickle

import numpy as np
import pytest
from _recording import NoClassesClassifier
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.datasets import make_regression
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import PoissonRegressor
from sklearn.metrics.pairwise import linear_kernel
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score
from sklearn.naive_bayes import MultinomialNB
from sklearn.svm import SVC, SVR
from sklearn.utils import get_tags

from skdifficulty import (
    DifficultyEstimator,
    DifficultyWeightedClassifier,
    DifficultyWeightedRegressor,
)


def test_the_regressors_difficulty_default_follows_the_task():
    X, y = make_regression(n_samples=80, n_features=4, noise=5.0, random_state=0)
    counts = np.round(np.abs(y)).astype(int)  # integer targets look like classes
    reg = DifficultyWeightedRegressor(
        difficulty=DifficultyEstimator(n_repeats=1, cv=3), random_state=0
    ).fit(X, counts)
    assert reg.difficulty_estimator_.loss_ == "squared_error"
    assert not hasattr(reg.difficulty_estimator_, "classes_")


def test_a_classifier_refuses_continuous_targets_before_any_fit(small_data):
    X, _ = small_data
    clf = DifficultyWeightedClassifier(difficulty=DifficultyEstimator(n_repeats=1))
    with pytest.raises(ValueError, match="Unknown label type: continuous"):
        clf.fit(X, X[:, 0])


def test_groups_reach_the_difficulty(small_data):
    X, y = small_data
    groups = np.repeat(np.arange(30), 3)
    difficulty = DifficultyEstimator(n_repeats=1, cv=3, random_state=0)
    clf = DifficultyWeightedClassifier(difficulty=difficulty).fit(X, y, groups=groups)
    expected = clone(difficulty).fit(X, y, groups=groups).difficulty_
    assert_array_equal(clf.difficulty_, expected)
    assert not np.array_equal(clf.difficulty_, clone(difficulty).fit(X, y).difficulty_)


@pytest.mark.parametrize("make", ["classifier", "regressor"])
def test_a_meta_estimator_with_a_one_shot_cv_refits_clones_and_pickles(
    small_data, make
):
    X, y = small_data
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
def test_the_old_name_difficulty_still_works_with_a_future_warning(small_data, meta):
    X, y = small_data
    target = y if meta is DifficultyWeightedClassifier else y.astype(float)
    difficulty = DifficultyEstimator(n_repeats=1, cv=3, random_state=0)
    new = meta(difficulty_estimator=difficulty).fit(X, target)
    with pytest.warns(FutureWarning, match="renamed difficulty_estimator"):
        old = meta(difficulty=difficulty).fit(X, target)
    assert_array_equal(old.difficulty_, new.difficulty_)
    with pytest.raises(ValueError, match="Both difficulty_estimator and"):
        meta(difficulty=difficulty, difficulty_estimator=difficulty).fit(X, target)


def test_compute_sample_weight_is_the_weighting_that_fit_uses(small_data):
    X, y = small_data
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


# -- tags: what the wrapped estimator says about its data holds for the wrapper


@pytest.mark.filterwarnings("ignore:The `probability` parameter:FutureWarning")
@pytest.mark.parametrize("make", ["classifier", "regressor"])
def test_a_meta_estimator_cross_validates_on_a_precomputed_kernel(small_data, make):
    # The pairwise tag makes cross_val_score cut the kernel on both axes; the
    # scores equal those of the same linear kernel computed from the features.
    X, y = small_data
    if make == "classifier":
        meta, target = DifficultyWeightedClassifier, y

        def svm(kernel):
            return SVC(kernel=kernel, probability=True, random_state=0)

    else:
        meta, target = DifficultyWeightedRegressor, X[:, 0] + y

        def svm(kernel):
            return SVR(kernel=kernel)

    def scores(kernel, data):
        model = meta(
            svm(kernel),
            difficulty_estimator=DifficultyEstimator(
                svm(kernel), n_repeats=1, cv=3, random_state=0
            ),
        )
        return cross_val_score(model, data, target, cv=3, error_score="raise")

    on_kernel = scores("precomputed", linear_kernel(X))
    assert get_tags(meta(svm("precomputed"))).input_tags.pairwise
    assert not get_tags(meta(svm("linear"))).input_tags.pairwise
    assert_allclose(on_kernel, scores("linear", X), rtol=1e-5)


class _BinaryOnly(ClassifierMixin, BaseEstimator):
    def fit(self, X, y, sample_weight=None):
        self.classes_ = np.unique(y)
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        tags.non_deterministic = True
        return tags


def test_the_tags_of_the_wrapped_estimator_are_forwarded():
    nb = get_tags(DifficultyWeightedClassifier(MultinomialNB()))
    assert nb.input_tags.positive_only and nb.classifier_tags.poor_score
    binary = get_tags(DifficultyWeightedClassifier(_BinaryOnly()))
    assert not binary.classifier_tags.multi_class and binary.non_deterministic
    poisson = get_tags(DifficultyWeightedRegressor(PoissonRegressor()))
    assert poisson.target_tags.positive_only and not poisson.input_tags.positive_only
    # The defaults keep scikit-learn's defaults.
    for meta in (DifficultyWeightedClassifier(), DifficultyWeightedRegressor()):
        tags = get_tags(meta)
        assert not tags.input_tags.pairwise and not tags.input_tags.positive_only
        assert not tags.target_tags.positive_only and not tags.non_deterministic
    assert get_tags(DifficultyWeightedClassifier()).classifier_tags.multi_class
    assert get_tags(DifficultyEstimator(MultinomialNB())).input_tags.positive_only


# -- classes_ and the other fitted state


@pytest.mark.parametrize(
    "meta", [DifficultyWeightedClassifier, DifficultyWeightedRegressor]
)
def test_an_unfitted_meta_estimator_says_to_call_fit(small_data, meta):
    X, y = small_data
    model = meta()
    methods = ["predict", "score"]
    if meta is DifficultyWeightedClassifier:
        with pytest.raises(NotFittedError, match="not fitted yet. Call 'fit'"):
            model.classes_  # noqa: B018
        assert not hasattr(model, "classes_")
        methods += ["predict_proba", "predict_log_proba", "decision_function"]
    for method in methods:
        args = (X, y) if method == "score" else (X,)
        with pytest.raises(NotFittedError, match="not fitted yet. Call 'fit'"):
            getattr(model, method)(*args)


def test_a_wrapped_classifier_without_classes_is_named(small_data):
    X, y = small_data
    # A difficulty that reads labels only: the weighted fit goes through.
    clf = DifficultyWeightedClassifier(
        NoClassesClassifier(),
        difficulty_estimator=DifficultyEstimator(
            NoClassesClassifier(), loss="zero_one", n_repeats=1, cv=3
        ),
    ).fit(X, y)
    match = (
        "NoClassesClassifier has no classes_ attribute after fit, so "
        "DifficultyWeightedClassifier has none either; the wrapped classifier's "
        "fit must set classes_"
    )
    with pytest.raises(AttributeError, match=match):
        clf.classes_  # noqa: B018
    assert not hasattr(clf, "classes_")
    assert clf.predict(X).shape == y.shape
    # With the default loss the difficulty's fits need the classes, and say so.
    with pytest.raises(ValueError, match="NoClassesClassifier.predict_proba came"):
        DifficultyWeightedClassifier(NoClassesClassifier()).fit(X, y)
