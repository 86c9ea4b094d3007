"""DifficultyWeightedClassifier / Regressor: weights, delegation, routing, cache."""

import numpy as np
import pytest
import sklearn
from _recording import NoWeightsClassifier, RecordingClassifier
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.datasets import load_iris, make_regression
from sklearn.exceptions import UnsetMetadataPassedError
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from skdifficulty import (
    DifficultyEstimator,
    DifficultyWeightedClassifier,
    DifficultyWeightedRegressor,
    difficulty_weights,
)

FAST = DifficultyEstimator(n_repeats=1, cv=3, random_state=0, keep_estimators=False)


def test_strength_zero_reproduces_the_unweighted_fit(four_feature_data):
    X, y = four_feature_data
    lr = LogisticRegression(max_iter=1000)
    for weighting in ("easy_first", "hard_first", "medium_first", "two_ends"):
        clf = DifficultyWeightedClassifier(
            lr, difficulty_estimator=FAST, weighting=weighting, strength=0.0
        ).fit(X, y)
        assert_array_equal(clf.sample_weight_, np.ones(len(y)))
        plain = LogisticRegression(max_iter=1000).fit(
            X, y, sample_weight=np.ones(len(y))
        )
        assert_allclose(clf.estimator_.coef_, plain.coef_, rtol=1e-12, atol=1e-12)
        assert_array_equal(clf.predict(X), plain.predict(X))


def test_weights_follow_the_difficulty(four_feature_data):
    X, y = four_feature_data
    clf = DifficultyWeightedClassifier(
        RecordingClassifier(), difficulty_estimator=FAST, strength=2.0
    ).fit(X, y)
    assert_allclose(clf.difficulty_, clf.difficulty_estimator_.difficulty_)
    expected = difficulty_weights(
        clf.difficulty_, y, weighting="easy_first", strength=2.0
    )
    assert_allclose(clf.sample_weight_, expected)
    assert_allclose(clf.estimator_.sample_weight_, expected)
    # Easy first: the hardest sample weighs least.
    assert clf.sample_weight_[clf.difficulty_.argmax()] == clf.sample_weight_.min()


def test_user_sample_weight_multiplies_in(four_feature_data):
    X, y = four_feature_data
    user = np.linspace(0.5, 3, len(y))
    user_before = user.copy()
    clf = DifficultyWeightedClassifier(RecordingClassifier(), difficulty_estimator=FAST)
    clf.fit(X, y, sample_weight=user)
    expected = difficulty_weights(
        clf.difficulty_, y, weighting="easy_first", strength=1.0, sample_weight=user
    )
    assert_allclose(clf.sample_weight_, expected)
    none = clf.set_params(weighting="none").fit(X, y, sample_weight=user)
    assert_allclose(none.sample_weight_, user / user.mean())
    assert_array_equal(user, user_before)


def test_per_class_normalization(four_feature_data):
    X, y = four_feature_data
    y = np.where(np.arange(len(y)) < 15, 0, y)  # make class sizes unequal
    clf = DifficultyWeightedClassifier(
        difficulty_estimator=FAST, normalize="class", strength=1.0
    ).fit(X, y)
    totals = [clf.sample_weight_[y == c].sum() for c in np.unique(y)]
    assert_allclose(totals, len(y) / 3)


def test_weights_reach_pipeline_and_nested_pipeline(four_feature_data):
    X, y = four_feature_data
    flat = make_pipeline(StandardScaler(), RecordingClassifier())
    nested = make_pipeline(StandardScaler(), make_pipeline(RecordingClassifier()))
    for pipe, last in ((flat, lambda p: p[-1]), (nested, lambda p: p[-1][-1])):
        clf = DifficultyWeightedClassifier(
            pipe, difficulty_estimator=FAST, strength=3.0
        )
        clf.fit(X, y)
        assert_allclose(last(clf.estimator_).sample_weight_, clf.sample_weight_)
        assert np.ptp(clf.sample_weight_) > 0


def test_metadata_routing_on_and_off(four_feature_data):
    X, y = four_feature_data
    with sklearn.config_context(enable_metadata_routing=True):
        requested = RecordingClassifier().set_fit_request(sample_weight=True)
        clf = DifficultyWeightedClassifier(
            requested, difficulty_estimator=None, strength=2.0
        )
        clf.set_params(
            difficulty_estimator=DifficultyEstimator(requested, n_repeats=1, cv=3)
        )
        clf.fit(X, y)
        assert_allclose(clf.estimator_.sample_weight_, clf.sample_weight_)
        unrequested = RecordingClassifier()
        with pytest.raises(UnsetMetadataPassedError, match="sample_weight"):
            DifficultyWeightedClassifier(
                unrequested,
                difficulty_estimator=DifficultyEstimator(
                    unrequested, n_repeats=1, cv=3
                ),
            ).fit(X, y)
    # Off: the same estimator gets the weights as a keyword.
    clf = DifficultyWeightedClassifier(
        RecordingClassifier(), difficulty_estimator=FAST
    ).fit(X, y)
    assert_allclose(clf.estimator_.sample_weight_, clf.sample_weight_)


class _FitsNever(RecordingClassifier):
    """Fails any fit: a refused request must be named before the fits."""

    def fit(self, X, y, sample_weight=None, tag=None):
        raise AssertionError("fitted before the request was checked")


# set_fit_request(sample_weight=...) -> the error, and what it says
REQUESTS = {
    "refused": (False, TypeError, r"refuses them \(set_fit_request\(sample_weigh"),
    "unset": (None, UnsetMetadataPassedError, "has not requested them"),
    "alias": ("w", TypeError, "requests them under the alias 'w', but they are"),
}


@pytest.mark.parametrize("in_pipeline", [False, True], ids=["bare", "pipeline"])
@pytest.mark.parametrize("case", REQUESTS)
def test_with_routing_an_estimator_that_does_not_request_the_weights_is_named(
    four_feature_data, case, in_pipeline
):
    X, y = four_feature_data
    request, error, problem = REQUESTS[case]
    with sklearn.config_context(enable_metadata_routing=True):
        model = _FitsNever()
        if request is not None:
            model.set_fit_request(sample_weight=request)
        scaler = StandardScaler().set_fit_request(sample_weight=False)
        estimator = make_pipeline(scaler, model) if in_pipeline else model
        where = "_FitsNever"
        if in_pipeline:
            where += r" \(the Pipeline's last step '_fitsnever'\)"
        match = (
            f"^{where} must take sample_weight in fit: the difficulty weights are "
            r"the point of DifficultyWeightedClassifier\. With metadata routing "
            rf"enabled, _FitsNever\.fit {problem}.*; request them with "
            r"_FitsNever\.set_fit_request\(sample_weight=True\)\.$"
        )
        with pytest.raises(error, match=match):
            DifficultyWeightedClassifier(estimator, difficulty_estimator=FAST).fit(X, y)


def test_with_routing_the_neighbours_of_a_refused_request_are_named(four_feature_data):
    X, y = four_feature_data
    w = np.linspace(0.5, 2, len(y))
    with sklearn.config_context(enable_metadata_routing=True):
        refused = LinearRegression().set_fit_request(sample_weight=False)
        with pytest.raises(TypeError, match="point of DifficultyWeightedRegressor"):
            DifficultyWeightedRegressor(refused).fit(X, y.astype(float))
        # Another step that leaves the weights unset: scikit-learn names it,
        # before any fit.
        pipe = make_pipeline(
            StandardScaler(), _FitsNever().set_fit_request(sample_weight=True)
        )
        with pytest.raises(UnsetMetadataPassedError, match="StandardScaler.fit"):
            DifficultyWeightedClassifier(pipe, difficulty_estimator=FAST).fit(X, y)
        # A meta-estimator that passes the weights to none of its estimators.
        search = GridSearchCV(_FitsNever(), {"tag": [None]})
        match = (
            "GridSearchCV.fit sends them to none of its estimators; request them "
            r"with set_fit_request\(sample_weight=True\) on the estimator inside"
        )
        with pytest.raises(TypeError, match=match):
            DifficultyWeightedClassifier(search, difficulty_estimator=FAST).fit(X, y)
        # A difficulty estimator given weights of its own says the same, and
        # that they may be left out.
        refused = LogisticRegression().set_fit_request(sample_weight=False)
        difficulty = DifficultyEstimator(refused, n_repeats=1, cv=3)
        match = (
            "DifficultyEstimator passes the sample_weight it is given to every "
            r"resampled fit\. .* refuses them .*, or leave sample_weight out\.$"
        )
        with pytest.raises(TypeError, match=match):
            difficulty.fit(X, y, sample_weight=w)
        assert difficulty.fit(X, y).difficulty_.shape == y.shape


def test_with_routing_the_default_estimators_take_the_weights(four_feature_data):
    X, y = four_feature_data
    w = np.linspace(0.5, 2, len(y))
    fits = {}
    for routing in (False, True):
        with sklearn.config_context(enable_metadata_routing=routing):
            fits[routing] = (
                DifficultyWeightedClassifier(difficulty_estimator=FAST).fit(X, y),
                DifficultyWeightedRegressor(difficulty_estimator=FAST).fit(
                    X, X[:, 0]
                ),
                clone(FAST).fit(X, y, sample_weight=w),
            )
    for plain, routed in zip(fits[False], fits[True], strict=True):
        if hasattr(plain, "estimator_"):
            assert_allclose(routed.sample_weight_, plain.sample_weight_)
            assert_allclose(routed.estimator_[-1].coef_, plain.estimator_[-1].coef_)
        assert_allclose(routed.difficulty_, plain.difficulty_)
    assert np.ptp(fits[True][0].sample_weight_) > 0


def test_an_estimator_without_sample_weight_is_named(four_feature_data):
    X, y = four_feature_data
    with pytest.raises(TypeError, match="NoWeightsClassifier.fit does not accept"):
        DifficultyWeightedClassifier(
            NoWeightsClassifier(), difficulty_estimator=FAST
        ).fit(X, y)


def test_methods_are_delegated_only_where_they_exist(four_feature_data):
    X, y = four_feature_data
    svc = DifficultyWeightedClassifier(SVC(), difficulty_estimator=FAST)
    assert not hasattr(svc, "predict_proba")
    assert hasattr(svc, "decision_function")
    svc.fit(X, y)
    assert svc.decision_function(X).shape == (len(y), 3)
    lr = DifficultyWeightedClassifier(difficulty_estimator=FAST).fit(X, y)
    assert_allclose(lr.predict_proba(X), lr.estimator_.predict_proba(X))
    assert_allclose(lr.predict_log_proba(X), lr.estimator_.predict_log_proba(X))
    assert lr.score(X, y) == lr.estimator_.score(X, y)
    assert_array_equal(lr.classes_, [0, 1, 2])


def test_string_labels(four_feature_data):
    X, y = four_feature_data
    labels = np.array(["a", "b", "c"])[y]
    clf = DifficultyWeightedClassifier(
        difficulty_estimator=FAST, normalize="class"
    ).fit(X, labels)
    assert set(clf.predict(X)) <= {"a", "b", "c"}
    assert_array_equal(clf.classes_, ["a", "b", "c"])


def test_callable_weighting(four_feature_data):
    X, y = four_feature_data

    def by_class(difficulty, y):
        return np.where(y == 0, 2.0, 1.0)

    clf = DifficultyWeightedClassifier(
        difficulty_estimator=FAST, weighting=by_class
    ).fit(X, y)
    w = np.where(y == 0, 2.0, 1.0)
    assert_allclose(clf.sample_weight_, w / w.mean())


def test_kind_of_estimator_is_checked(four_feature_data):
    X, y = four_feature_data
    with pytest.raises(ValueError, match="needs a classifier; LinearRegression"):
        DifficultyWeightedClassifier(LinearRegression()).fit(X, y)
    with pytest.raises(ValueError, match="needs a regressor; LogisticRegression"):
        DifficultyWeightedRegressor(LogisticRegression()).fit(X, y)


def test_regressor():
    X, y = make_regression(n_samples=80, n_features=3, noise=1.0, random_state=0)
    y = y.copy()
    y[:5] += 300  # gross outliers: easy-first weighting should ignore them
    reg = DifficultyWeightedRegressor(
        LinearRegression(),
        difficulty_estimator=DifficultyEstimator(
            LinearRegression(), n_repeats=2, random_state=0
        ),
        strength=4.0,
    ).fit(X, y)
    assert reg.sample_weight_[:5].max() < reg.sample_weight_[5:].min()
    plain = LinearRegression().fit(X, y)
    clean = slice(5, None)
    assert reg.score(X[clean], y[clean]) > plain.score(X[clean], y[clean])
    with pytest.raises(ValueError, match="normalize='class' balances classes"):
        reg.set_params(normalize="class").fit(X, y)


def test_grid_search_runs_the_resampled_fits_once_per_training_set(
    four_feature_data, tmp_path, resampled_fits
):
    X, y = four_feature_data
    difficulty = DifficultyEstimator(n_repeats=1, cv=3, random_state=0)
    grid = {
        "weighting": ["easy_first", "hard_first", "medium_first", "two_ends"],
        "strength": [0.5, 1.0, 2.0],
    }
    search = GridSearchCV(
        DifficultyWeightedClassifier(
            difficulty_estimator=difficulty, memory=str(tmp_path)
        ),
        grid,
        cv=5,
    ).fit(X, y)
    # 5 CV training sets + the refit on all data, 3 resampled fits each.
    assert len(resampled_fits) == 6 * 3
    resampled_fits.clear()
    search.fit(X, y)  # everything is cached now
    assert resampled_fits == []
    uncached = GridSearchCV(
        DifficultyWeightedClassifier(difficulty_estimator=difficulty), grid, cv=5
    ).fit(X, y)
    assert len(resampled_fits) == (12 * 5 + 1) * 3
    assert_allclose(
        search.cv_results_["mean_test_score"], uncached.cv_results_["mean_test_score"]
    )


def test_does_not_change_the_callers_estimator():
    X, y = load_iris(return_X_y=True)
    lr = LogisticRegression(max_iter=500)
    DifficultyWeightedClassifier(lr, difficulty_estimator=FAST).fit(X, y)
    assert not hasattr(lr, "coef_")


# -- the cut-off modes ---------------------------------------------------------


def contaminated_line(seed=1, n=120):
    """y = 2 x + noise; 20 clean far-out x (good leverage), 24 gross errors."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, 1))
    X[:20, 0] = rng.choice([-1, 1], 20) * rng.uniform(4, 8, 20)
    y = 2.0 * X[:, 0] + 0.3 * rng.normal(size=n)
    bad = np.zeros(n, dtype=bool)
    bad[20:44] = True
    y[bad] += rng.choice([-1, 1], 24) * rng.uniform(5, 10, 24)
    return X, y, bad


def test_cutoff_modes_at_strength_zero_reproduce_the_unweighted_fit(four_feature_data):
    X, y = four_feature_data
    for weighting in ("huber", "tukey", "trim"):
        clf = DifficultyWeightedClassifier(
            LogisticRegression(max_iter=1000),
            difficulty_estimator=FAST,
            weighting=weighting,
            strength=0.0,
            refine=1,
        ).fit(X, y)
        assert_array_equal(clf.sample_weight_, np.ones(len(y)))
        plain = LogisticRegression(max_iter=1000).fit(X, y)
        assert_allclose(clf.estimator_.coef_, plain.coef_, rtol=1e-12, atol=1e-12)


def test_regressor_cutoff_mode_keeps_the_inliers_whole():
    X, y, bad = contaminated_line()
    difficulty = DifficultyEstimator(
        LinearRegression(), n_repeats=2, random_state=0, keep_estimators=False
    )
    reg = DifficultyWeightedRegressor(
        LinearRegression(),
        difficulty_estimator=difficulty,
        weighting="trim",
        strength=8,
        cutoff="mixture",
    ).fit(X, y)
    expected = difficulty_weights(
        reg.difficulty_, weighting="trim", strength=8, cutoff="mixture"
    )
    assert_allclose(reg.sample_weight_, expected)
    # Every inlier, the far-out clean ones included, keeps the same weight.
    # (cutoff="mad" trims 7 of those: the held-out predictions of a far-out
    # sample vary more, and three robust sigmas of the core are tight.)
    top = reg.sample_weight_.max()
    assert_array_equal(reg.sample_weight_[~bad], top)
    assert np.all(reg.sample_weight_[bad] == top / 256)
    assert abs(reg.estimator_.coef_[0] - 2.0) < 0.01
    mad = reg.set_params(cutoff="mad").fit(X, y).sample_weight_
    assert np.all(mad[bad] < mad.max()) and np.sum(mad[~bad] < mad.max()) == 7


def test_classifier_gives_the_scheme_the_heldout_probabilities():
    X, y = load_iris(return_X_y=True)
    y = y.copy()
    y[[0, 1, 2, 50, 51, 100]] = [1, 2, 1, 0, 2, 0]  # six wrong labels
    clf = DifficultyWeightedClassifier(
        difficulty_estimator=FAST, weighting="trim", strength=8, normalize=None
    ).fit(X, y)
    expected = difficulty_weights(
        clf.difficulty_,
        y,
        weighting="trim",
        strength=8,
        normalize=None,
        heldout_proba=clf.difficulty_estimator_.heldout_proba_,
    )
    assert_array_equal(clf.sample_weight_, expected)
    # cutoff="auto" is confident learning's noise estimate here: it counts
    # 4 wrong labels (a label counts only where another class is confident),
    # and the hardest samples of those classes are beyond the cut-off.
    trimmed = clf.sample_weight_ < 1
    assert trimmed.sum() == 4
    assert trimmed[[0, 1, 2, 50, 51, 100]].sum() == 3
    mad = clf.set_params(cutoff="mad").fit(X, y).sample_weight_
    assert not np.array_equal(mad, expected)


def test_refine_measures_the_difficulty_again_with_the_weights():
    X, y, bad = contaminated_line(seed=2)
    params = {
        "difficulty_estimator": DifficultyEstimator(
            LinearRegression(), n_repeats=1, random_state=0, keep_estimators=False
        ),
        "weighting": "huber",
        "strength": 4,
        "cutoff": "mixture",
    }
    first = DifficultyWeightedRegressor(LinearRegression(), **params).fit(X, y)
    second = DifficultyWeightedRegressor(LinearRegression(), refine=1, **params).fit(
        X, y
    )
    again = clone(params["difficulty_estimator"]).fit(
        X, y, sample_weight=first.sample_weight_
    )
    assert_allclose(second.difficulty_, again.difficulty_)
    assert_allclose(
        second.sample_weight_,
        difficulty_weights(
            again.difficulty_, weighting="huber", strength=4, cutoff="mixture"
        ),
    )
    # Measured by models that barely see the gross errors, the clean samples
    # are easier and the gross errors stand out further.
    assert np.median(second.difficulty_[~bad]) < np.median(first.difficulty_[~bad])


def test_refine_rounds_are_cached(tmp_path, resampled_fits):
    X, y, _ = contaminated_line(seed=3)
    reg = DifficultyWeightedRegressor(
        LinearRegression(),
        difficulty_estimator=DifficultyEstimator(LinearRegression(), n_repeats=1, cv=3),
        weighting="huber",
        refine=2,
        memory=str(tmp_path),
        random_state=0,
    )
    reg.fit(X, y)
    assert len(resampled_fits) == 3 * 3  # three rounds of 3 resampled fits
    resampled_fits.clear()
    reg.fit(X, y)
    assert resampled_fits == []
    reg.set_params(refine=0).fit(X, y)  # the first round is the same
    assert resampled_fits == []


def test_grid_search_over_every_mode_finds_a_cutoff_mode(tmp_path):
    from skdifficulty import WEIGHTING_MODES
    from skdifficulty.weighting._modes import LABEL_MODES

    X, y, _ = contaminated_line(seed=1)
    meta = DifficultyWeightedRegressor(
        LinearRegression(),
        difficulty_estimator=DifficultyEstimator(
            LinearRegression(), n_repeats=1, cv=3, random_state=0
        ),
        memory=str(tmp_path),
    )
    search = GridSearchCV(
        meta,
        # A regressor has no class probabilities to compare labels with.
        {"weighting": sorted(set(WEIGHTING_MODES) - set(LABEL_MODES)), "strength": [1, 4]},
        cv=KFold(3, shuffle=True, random_state=0),
        scoring="neg_median_absolute_error",
    ).fit(X, y)
    tried = {p["weighting"] for p in search.cv_results_["params"]}
    assert {"huber", "tukey", "trim"} <= tried
    # The rank modes that silence the gross errors also down-weight the clean
    # far-out samples that pin the slope; the cut-off modes keep them.
    assert search.best_params_["weighting"] in ("huber", "tukey", "trim")


def test_cutoff_parameter_is_checked():
    X, y, _ = contaminated_line()
    reg = DifficultyWeightedRegressor(difficulty_estimator=FAST, weighting="huber")
    with pytest.raises(ValueError, match="cutoff='noise' .* class labels"):
        reg.set_params(cutoff="noise").fit(X, y)
    with pytest.raises(ValueError, match="'cutoff' parameter"):
        reg.set_params(cutoff="median").fit(X, y)
    with pytest.raises(ValueError, match="'refine' parameter"):
        reg.set_params(cutoff="auto", refine=-1).fit(X, y)
