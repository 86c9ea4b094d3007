"""Reliability: bad input, faults, no mutation of the caller's data, determinism."""

import pickle
import re
import traceback
import warnings

import joblib
import numpy as np
import pytest
from _recording import RecordingClassifier
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import FitFailedWarning
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import StratifiedKFold
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

from skdifficulty import DifficultyEstimator, DifficultyWeightedClassifier

N_SAMPLES = 90  # of four_feature_data


@pytest.fixture
def weighted_classifier(quick_difficulty):
    """Factory of a weighted classifier around the quick difficulty estimator."""

    def make(estimator=None, **params):
        difficulty = quick_difficulty(None if estimator is None else clone(estimator))
        return DifficultyWeightedClassifier(
            estimator, difficulty_estimator=difficulty, **params
        )

    return make


@pytest.fixture(params=["quick_difficulty", "weighted_classifier"], ids=["DE", "DWC"])
def make(request):
    """Each check runs on both: the difficulty estimator and the meta-estimator."""
    return request.getfixturevalue(request.param)


def with_nan(X, value=np.nan):
    X = X.copy()
    X[3, 1] = value
    return X


# -- bad input ---------------------------------------------------------------


@pytest.mark.parametrize(
    "value, match", [(np.nan, "Input X contains NaN"), (np.inf, "Input X contains inf")]
)
def test_non_finite_X_is_refused(four_feature_data, make, value, match):
    X, y = four_feature_data
    with pytest.raises(ValueError, match=match):
        make().fit(with_nan(X, value), y)


def test_non_finite_X_is_refused_in_sparse_and_dataframe_input(four_feature_data, make):
    pd = pytest.importorskip("pandas")
    X, y = four_feature_data
    with pytest.raises(ValueError, match="Input X contains NaN"):
        make().fit(sparse.csr_matrix(with_nan(X)), y)
    with pytest.raises(ValueError, match="Input X contains NaN"):
        make().fit(pd.DataFrame(with_nan(X), columns=list("abcd")), y)


def test_an_estimator_that_allows_nan_just_works(four_feature_data, make):
    X, y = four_feature_data
    X_nan = with_nan(X)
    X_nan[::7, 2] = np.nan
    hgb = HistGradientBoostingClassifier(max_iter=10, random_state=0)
    model = make(hgb).fit(X_nan, y)
    assert np.all(np.isfinite(model.difficulty_))
    if isinstance(model, DifficultyWeightedClassifier):
        assert np.all(np.isfinite(model.sample_weight_))
        assert model.predict(X_nan).shape == (N_SAMPLES,)
    else:
        assert np.all(np.isfinite(model.transform(X_nan)))


@pytest.mark.parametrize("as_series", [False, True])
def test_nan_in_y_is_refused(four_feature_data, make, as_series):
    X, y = four_feature_data
    y = y.astype(float)
    y[5] = np.nan
    if as_series:
        y = pytest.importorskip("pandas").Series(y)
    # scikit-learn's type_of_target warns about the NaN cast before it refuses.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with pytest.raises(ValueError, match="Input y contains NaN"):
            make().fit(X, y)


@pytest.mark.parametrize("label", [0, "a"])
def test_a_single_class_is_refused(four_feature_data, make, label):
    X, y = four_feature_data
    with pytest.raises(ValueError, match="y has a single class .*at least two"):
        make().fit(X, np.full(N_SAMPLES, label))


def test_continuous_targets_for_a_classifier_are_refused(four_feature_data, make):
    X, y = four_feature_data
    with pytest.raises(ValueError, match="Unknown label type: continuous"):
        make(LogisticRegression()).fit(X, X[:, 0])


def test_the_default_estimator_follows_the_task(four_feature_data, quick_difficulty):
    X, y = four_feature_data
    est = quick_difficulty().fit(X, X[:, 0])
    assert est.loss_ == "squared_error"
    assert not hasattr(est, "classes_")
    assert quick_difficulty().fit(X, y).loss_ == "log_loss"


def test_mismatched_lengths_are_refused(four_feature_data, make):
    X, y = four_feature_data
    with pytest.raises(ValueError, match=re.escape("inconsistent numbers of samples")):
        make().fit(X[:-1], y)
    with pytest.raises(ValueError, match=re.escape("sample_weight.shape == (89,)")):
        make().fit(X, y, sample_weight=np.ones(N_SAMPLES - 1))


def test_empty_and_one_dimensional_X_are_refused(four_feature_data, make):
    X, y = four_feature_data
    with pytest.raises(ValueError, match="0 sample\\(s\\)"):
        make().fit(X[:0], y[:0])
    with pytest.raises(ValueError, match="Expected 2D array, got 1D array"):
        make().fit(X[:, 0], y)


def test_loss_must_fit_the_estimator(four_feature_data):
    X, y = four_feature_data
    with pytest.raises(ValueError, match="'squared_error' is for regressors"):
        DifficultyEstimator(loss="squared_error").fit(X, y)
    with pytest.raises(ValueError, match="needs a classifier, but Ridge"):
        DifficultyEstimator(Ridge(), loss="log_loss").fit(X, y)


@pytest.mark.parametrize(
    "weights, match",
    [
        (-np.ones(N_SAMPLES), "Negative values in data passed to `sample_weight`"),
        (np.zeros(N_SAMPLES), "at least one non-zero number"),
        (
            np.where(np.arange(N_SAMPLES) == 2, np.nan, 1.0),
            "sample_weight contains NaN",
        ),
        (
            np.where(np.arange(N_SAMPLES) == 2, np.inf, 1.0),
            "sample_weight contains infinity",
        ),
    ],
    ids=["negative", "all-zero", "nan", "inf"],
)
def test_bad_sample_weight_is_refused(
    four_feature_data, make, weights, match, resampled_fits
):
    X, y = four_feature_data
    with pytest.raises(ValueError, match=match):
        make().fit(X, y, sample_weight=weights)
    assert resampled_fits == []  # refused before any resampled fit


def test_fewer_samples_than_folds_falls_back_and_says_so(four_feature_data, make):
    """Two samples in 3 stratified folds: every fit still sees the class."""
    X, y = four_feature_data
    y = y.copy()
    y[:2] = 7
    with pytest.warns(
        UserWarning, match="only 2 members, which is less than n_splits=3"
    ):
        model = make().fit(X, y)
    assert np.all(np.isfinite(model.difficulty_))
    # Each of the two is scored by the one fit that trained on the other.
    estimator = getattr(model, "difficulty_estimator_", model)
    assert_array_equal(estimator.n_evaluations_, np.ones(N_SAMPLES))


def test_a_one_sample_class_is_scored_as_unseen_and_says_so(four_feature_data, make):
    X, y = four_feature_data
    y = y.copy()
    y[0] = 7
    with (
        pytest.warns(UserWarning, match="only 1 members"),
        pytest.warns(UserWarning, match="1 of 3 resampled fits trained without every"),
    ):
        model = make().fit(X, y)
    # The only model that scores it never saw its class: clipped log loss.
    assert_allclose(model.difficulty_[0], -np.log(1e-15), rtol=1e-6)
    assert model.difficulty_.argmax() == 0
    estimator = getattr(model, "difficulty_estimator_", model)
    assert_allclose(estimator.heldout_proba_[0, 3], 0.0)
    if isinstance(model, DifficultyWeightedClassifier):
        assert model.sample_weight_[0] == model.sample_weight_.min()
        assert 7 in model.classes_  # the final fit sees every class


@pytest.mark.parametrize("resampling", ["bootstrap", "subsample"])
def test_a_one_sample_class_in_random_plans_falls_back_and_says_so(
    four_feature_data, resampling, quick_difficulty
):
    """The random plans also score a one-sample class, and warn.

    Stratified bootstrap always draws the lone sample, so only the last fit
    (which gives it up to its test part) can score it; stratified subsampling
    cannot split a class of one and must fall back to plain subsampling.
    """
    X, y = four_feature_data
    y = y.copy()
    y[0] = 7
    with pytest.warns(UserWarning, match="trained without every class"):
        est = quick_difficulty(resampling=resampling, n_repeats=2).fit(X, y)
    assert est.n_evaluations_.min() >= 1
    assert_allclose(est.heldout_proba_[0, 3], 0.0)


def test_an_estimator_without_predict_proba_is_named(four_feature_data, make):
    X, y = four_feature_data
    with pytest.raises(TypeError, match="needs predict_proba, which SVC does not have"):
        make(SVC()).fit(X, y)


def test_the_zero_one_loss_weights_an_estimator_without_predict_proba(
    four_feature_data, quick_difficulty
):
    X, y = four_feature_data
    clf = DifficultyWeightedClassifier(
        SVC(), difficulty_estimator=quick_difficulty(SVC(), loss="zero_one")
    ).fit(X, y)
    assert set(np.unique(clf.difficulty_)) <= {0.0, 1.0}
    assert_allclose(clf.sample_weight_.mean(), 1.0)


def test_an_estimator_without_sample_weight_is_refused_before_any_fit(
    four_feature_data, resampled_fits, weighted_classifier
):
    """Weighting KNN cannot work: say so before the costly resampled fits."""
    X, y = four_feature_data
    knn = KNeighborsClassifier()
    with pytest.raises(TypeError, match="KNeighborsClassifier.fit does not accept"):
        weighted_classifier(knn).fit(X, y)
    assert resampled_fits == []


def test_difficulty_without_sample_weight_support_needs_no_weights(
    four_feature_data, quick_difficulty
):
    """KNN cannot take weights, but its difficulty without weights is fine."""
    X, y = four_feature_data
    est = quick_difficulty(KNeighborsClassifier()).fit(X, y)
    assert np.all(np.isfinite(est.difficulty_))
    with pytest.raises(
        TypeError, match="KNeighborsClassifier.fit does not accept sample_weight"
    ):
        quick_difficulty(KNeighborsClassifier()).fit(
            X, y, sample_weight=np.ones(N_SAMPLES)
        )


@pytest.mark.parametrize(
    "weighting, match",
    [
        (lambda d, y: np.ones(5), re.escape("shape (90,); got shape (5,)")),
        (lambda d, y: d[:, None], re.escape("shape (90,); got shape (90, 1)")),
        (lambda d, y: -d, "returned negative weights"),
        (lambda d, y: d * np.nan, "returned NaN or infinite weights"),
        (lambda d, y: np.zeros_like(d), "returned only zero weights"),
        (lambda d, y: np.full(len(d), "x"), "must return real numbers"),
    ],
    ids=["short", "2d", "negative", "nan", "zeros", "strings"],
)
def test_a_bad_callable_weighting_is_named(
    four_feature_data, weighting, match, weighted_classifier
):
    X, y = four_feature_data
    with pytest.raises(ValueError, match=match):
        weighted_classifier(weighting=weighting).fit(X, y)


def test_a_callable_weighting_cannot_change_the_difficulty_or_labels(
    four_feature_data, weighted_classifier
):
    X, y = four_feature_data
    y_before = y.copy()

    def vandal(difficulty, labels):
        weights = difficulty.copy() + 1.0
        difficulty[:] = 0.0
        labels[:] = 0
        return weights

    clf = weighted_classifier(weighting=vandal).fit(X, y)
    assert_array_equal(clf.difficulty_, clf.difficulty_estimator_.difficulty_)
    assert clf.difficulty_.min() > 0
    assert_array_equal(y, y_before)
    assert_allclose(
        clf.sample_weight_, (clf.difficulty_ + 1) / (clf.difficulty_ + 1).mean()
    )


class BadProbaClassifier(RecordingClassifier):
    """Returns a non-finite probability on the training part of a given size."""

    def __init__(self, value=np.inf, bad_size=None):
        self.value = value
        self.bad_size = bad_size

    def fit(self, X, y, sample_weight=None, tag=None):
        self.n_train_ = len(X)
        return super().fit(X, y, sample_weight)

    def predict_proba(self, X):
        proba = super().predict_proba(X)
        if self.bad_size is None or self.n_train_ == self.bad_size:
            proba[0, 0] = self.value
        return proba


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_non_finite_probabilities_are_refused(four_feature_data, make, value):
    X, y = four_feature_data
    with pytest.raises(
        ValueError,
        match="BadProbaClassifier.predict_proba returned non-finite values",
    ):
        make(BadProbaClassifier(value)).fit(X, y)


def test_non_finite_probabilities_of_one_fit_can_be_skipped(four_feature_data):
    X, y = four_feature_data
    plan, bad_size = failing_plan(y)
    est = DifficultyEstimator(
        BadProbaClassifier(np.nan, bad_size=bad_size), cv=plan, on_error="skip"
    )
    with pytest.warns(
        FitFailedWarning, match="1 of 4 resampled fits failed .* fold 3: ValueError"
    ):
        est.fit(X, y)
    assert est.n_failed_fits_ == 1
    # The three folds that worked score every sample once.
    assert_array_equal(est.n_evaluations_, np.ones(N_SAMPLES))
    assert np.all(np.isfinite(est.difficulty_))


@pytest.mark.parametrize("meta", [False, True], ids=["DE", "DWC"])
def test_a_cv_that_never_holds_out_some_samples_is_refused(four_feature_data, meta):
    X, y = four_feature_data
    half = np.arange(N_SAMPLES // 2)
    cv = [(half, half + N_SAMPLES // 2)]
    model = DifficultyEstimator(cv=cv)
    if meta:
        model = DifficultyWeightedClassifier(difficulty_estimator=model)
    with pytest.raises(ValueError, match=re.escape("45 samples (the first: index 0)")):
        model.fit(X, y)


def test_a_cv_that_tests_on_training_samples_is_refused(four_feature_data):
    """A sample scored by a model that saw it is not held out: refuse the plan."""
    X, y = four_feature_data
    everything = np.arange(N_SAMPLES)
    with pytest.raises(ValueError, match="both the training and the test part"):
        DifficultyEstimator(cv=[(everything, everything)]).fit(X, y)


# -- faults -------------------------------------------------------------------


class FailingClassifier(RecordingClassifier):
    """Fails to fit a training part of one given size."""

    def __init__(self, fail_size=0, error=None):
        self.fail_size = fail_size
        self.error = error

    def fit(self, X, y, sample_weight=None, tag=None):
        if len(X) == self.fail_size:
            raise self.error or ArithmeticError("cannot fit this part")
        return super().fit(X, y, sample_weight)


def failing_plan(y):
    """Three stratified folds, then a fourth (fold 3) that fails."""
    splits = list(StratifiedKFold(3).split(np.zeros(len(y)), y))
    return splits + [(np.arange(7, len(y)), np.arange(7))], len(y) - 7


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_a_failing_fit_names_repeat_and_fold_and_chains_the_cause(
    four_feature_data, n_jobs
):
    X, y = four_feature_data
    plan, fail_size = failing_plan(y)
    est = DifficultyEstimator(FailingClassifier(fail_size), cv=plan, n_jobs=n_jobs)
    with pytest.raises(
        ArithmeticError,
        match="Fitting FailingClassifier failed on repeat 0, fold 3: ArithmeticError",
    ) as excinfo:
        est.fit(X, y)
    cause = excinfo.value.__cause__
    assert type(cause) is ArithmeticError
    assert str(cause) == "cannot fit this part"
    # Skipped, the failed fit is counted and the others score every sample.
    with pytest.warns(FitFailedWarning, match="1 of 4 resampled fits failed"):
        est.set_params(on_error="skip").fit(X, y)
    assert est.n_failed_fits_ == 1
    assert_array_equal(est.n_evaluations_, np.ones(N_SAMPLES))


def test_a_failing_fit_in_the_meta_estimator_chains_the_cause(four_feature_data):
    X, y = four_feature_data
    plan, fail_size = failing_plan(y)
    failing = FailingClassifier(fail_size)
    clf = DifficultyWeightedClassifier(
        failing, difficulty_estimator=DifficultyEstimator(failing, cv=plan)
    )
    with pytest.raises(ArithmeticError, match="repeat 0, fold 3") as excinfo:
        clf.fit(X, y)
    assert str(excinfo.value.__cause__) == "cannot fit this part"


class NeedsTwoArguments(Exception):
    def __init__(self, code, detail):
        super().__init__(code, detail)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_an_error_that_cannot_be_rebuilt_keeps_its_type_and_names_its_place(
    four_feature_data, n_jobs
):
    X, y = four_feature_data
    plan, fail_size = failing_plan(y)
    est = DifficultyEstimator(
        FailingClassifier(fail_size, error=NeedsTwoArguments(3, "odd")),
        cv=plan,
        n_jobs=n_jobs,
    )
    with pytest.raises(NeedsTwoArguments, match="repeat 0, fold 3") as e:
        est.fit(X, y)
    assert e.value.args == (3, "odd")
    # The worker's traceback travels with the error.
    chain = e.value.__cause__ if n_jobs > 1 else e.value
    text = "".join(traceback.format_exception(chain))
    assert "raise self.error" in text


def test_skipped_fits_warn_and_are_counted_in_the_meta_estimator(four_feature_data):
    X, y = four_feature_data
    plan, fail_size = failing_plan(y)
    failing = FailingClassifier(fail_size)
    clf = DifficultyWeightedClassifier(
        RecordingClassifier(),
        difficulty_estimator=DifficultyEstimator(failing, cv=plan, on_error="skip"),
    )
    with pytest.warns(
        FitFailedWarning, match="1 of 4 resampled fits failed .* repeat 0, fold 3"
    ):
        clf.fit(X, y)
    assert clf.difficulty_estimator_.n_failed_fits_ == 1
    assert_array_equal(clf.difficulty_estimator_.n_evaluations_, np.ones(N_SAMPLES))
    assert np.all(np.isfinite(clf.sample_weight_))


def test_all_fits_failing_is_an_error_even_when_skipping(
    four_feature_data, quick_difficulty
):
    X, y = four_feature_data
    est = quick_difficulty(FailingClassifier(N_SAMPLES * 2 // 3), on_error="skip")
    with pytest.raises(ValueError, match="All 3 resampled fits failed") as excinfo:
        est.fit(X, y)
    assert isinstance(excinfo.value.__cause__, ArithmeticError)


def test_failed_fits_that_leave_samples_unscored(four_feature_data):
    X, y = four_feature_data
    half = N_SAMPLES // 2
    first, second = np.arange(half), np.arange(half, N_SAMPLES)
    splits = [(first, second), (second, first)]
    est = DifficultyEstimator(FailingClassifier(half), cv=splits, on_error="skip")
    with pytest.raises(ValueError, match="All 2 resampled fits failed"):
        est.fit(X, y)
    splits.append((np.arange(30, N_SAMPLES), np.arange(30)))
    with (
        pytest.warns(FitFailedWarning),
        pytest.raises(
            ValueError, match=r"60 samples .* never held out \(2 fits failed\)"
        ),
    ):
        est.set_params(cv=splits).fit(X, y)


# -- no mutation ----------------------------------------------------------------


def as_kind(kind, X, y, w):
    if kind == "numpy":
        return X, y, w
    if kind == "pandas":
        pd = pytest.importorskip("pandas")
        return pd.DataFrame(X, columns=list("abcd")), pd.Series(y), pd.Series(w)
    return sparse.csr_matrix(X), y, w


def hashes(*objects):
    return [joblib.hash(obj) for obj in objects]


@pytest.mark.parametrize("kind", ["numpy", "pandas", "sparse"])
def test_difficulty_estimator_does_not_mutate_its_inputs(
    four_feature_data, kind, quick_difficulty
):
    X, y = four_feature_data
    X, y, w = as_kind(kind, X, y, np.linspace(0.5, 2, N_SAMPLES))
    lr = LogisticRegression(max_iter=500)
    est = quick_difficulty(lr)
    before = hashes(X, y, w, lr, est)
    est.fit_transform(X, y, sample_weight=w)
    est.fit(X, y, sample_weight=w)
    est.transform(X)
    assert hashes(X, y, w, lr) == before[:4]
    assert not hasattr(lr, "coef_")  # clones were fitted, not the caller's
    assert joblib.hash(clone(est)) == before[4]  # parameters unchanged


@pytest.mark.parametrize("kind", ["numpy", "pandas", "sparse"])
def test_weighted_classifier_does_not_mutate_its_inputs(
    four_feature_data, kind, quick_difficulty
):
    X, y = four_feature_data
    X, y, w = as_kind(kind, X, y, np.linspace(0.5, 2, N_SAMPLES))
    lr = LogisticRegression(max_iter=500)
    difficulty = quick_difficulty(LogisticRegression(max_iter=500))
    clf = DifficultyWeightedClassifier(lr, difficulty_estimator=difficulty)
    before = hashes(X, y, w, lr, difficulty, clf)
    clf.fit(X, y, sample_weight=w)
    clf.predict(X)
    clf.predict_proba(X)
    clf.score(X, y, sample_weight=w)
    assert hashes(X, y, w, lr, difficulty) == before[:5]
    assert joblib.hash(clone(clf)) == before[5]
    assert not hasattr(difficulty, "difficulty_")


def test_default_weighted_classifier_takes_sparse_input(
    four_feature_data, quick_difficulty
):
    """The default pipeline must not center sparse X (as DifficultyEstimator's)."""
    X, y = four_feature_data
    clf = DifficultyWeightedClassifier(difficulty_estimator=quick_difficulty())
    clf.fit(sparse.csr_matrix(X), y)
    assert clf.predict(sparse.csr_matrix(X)).shape == (N_SAMPLES,)


# -- determinism ----------------------------------------------------------------


@pytest.mark.parametrize("resampling", ["kfold", "bootstrap", "subsample"])
def test_n_jobs_gives_bit_identical_difficulty(
    four_feature_data, resampling, quick_difficulty
):
    X, y = four_feature_data
    tree = DecisionTreeClassifier(max_features=2, min_samples_leaf=3)
    kwargs = dict(resampling=resampling, n_repeats=2, random_state=7)
    one = quick_difficulty(tree, n_jobs=1, **kwargs)
    two = quick_difficulty(tree, n_jobs=2, **kwargs)
    # Difficulty, bias and variance.
    assert_array_equal(one.fit_transform(X, y), two.fit_transform(X, y))
    assert_array_equal(one.n_evaluations_, two.n_evaluations_)


def test_n_jobs_gives_an_identical_weighted_classifier(
    four_feature_data, quick_difficulty
):
    X, y = four_feature_data
    fits = []
    for n_jobs in (1, 2):
        difficulty = quick_difficulty(n_repeats=2, n_jobs=n_jobs)
        fits.append(
            DifficultyWeightedClassifier(
                difficulty_estimator=difficulty, strength=2
            ).fit(X, y)
        )
    assert_array_equal(fits[0].sample_weight_, fits[1].sample_weight_)
    assert_array_equal(fits[0].predict_proba(X), fits[1].predict_proba(X))


def round_trips(model, tmp_path):
    yield pickle.loads(pickle.dumps(model))
    path = tmp_path / "model.joblib"
    joblib.dump(model, path)
    yield joblib.load(path)


def test_a_fitted_difficulty_estimator_survives_pickle_and_joblib(
    four_feature_data, tmp_path, quick_difficulty
):
    X, y = four_feature_data
    est = quick_difficulty(n_repeats=2).fit(X, y)
    for loaded in round_trips(est, tmp_path):
        assert_array_equal(loaded.transform(X), est.transform(X))
        assert_array_equal(loaded.difficulty_, est.difficulty_)
        assert_array_equal(loaded.n_evaluations_, est.n_evaluations_)
        # Refitting the loaded copy reproduces the original fit.
        assert_array_equal(clone(loaded).fit(X, y).difficulty_, est.difficulty_)


def test_a_fitted_weighted_classifier_survives_pickle_and_joblib(
    four_feature_data, tmp_path, weighted_classifier
):
    X, y = four_feature_data
    clf = weighted_classifier(strength=2.0).fit(X, y)
    for loaded in round_trips(clf, tmp_path):
        assert_array_equal(loaded.predict(X), clf.predict(X))
        assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
        assert_array_equal(loaded.sample_weight_, clf.sample_weight_)
