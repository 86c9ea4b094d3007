"""make_clean_scorer: scoring searches on the validation samples with clean labels."""

import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.datasets import make_blobs, make_classification, make_regression
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    log_loss,
    make_scorer,
    mean_squared_error,
)
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.neighbors import KNeighborsClassifier
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils._param_validation import InvalidParameterError

from skdifficulty import (
    DifficultyEstimator,
    DifficultyWeightedClassifier,
    DifficultyWeightedRegressor,
    difficulty_cutoff,
    make_clean_scorer,
)
from skdifficulty.datasets import flip_labels

KEPT = DifficultyEstimator(n_repeats=2, cv=3, random_state=0, keep_estimators=True)


@pytest.fixture
def noisy():
    X, y = make_classification(
        n_samples=240,
        n_features=5,
        n_informative=3,
        n_redundant=0,
        n_classes=3,
        class_sep=2.0,
        random_state=0,
    )
    y_noisy, flipped = flip_labels(y, rate=0.2, random_state=0)
    return X, y_noisy, flipped


@pytest.fixture
def fitted(noisy):
    X, y, _ = noisy
    return DifficultyWeightedClassifier(difficulty_estimator=KEPT).fit(X[:160], y[:160])


def test_it_ranks_a_robust_candidate_above_one_that_memorizes_wrong_labels():
    # Validation holds near-copies of the wrong-labelled training samples,
    # with the same wrong labels (duplicated rows keep their labelling
    # errors), and fresh samples with right labels. A full tree reproduces every
    # copied wrong label, so the plain scorer prefers it.
    X, y_true = make_blobs(
        n_samples=600, centers=[[-3, 0], [3, 0]], cluster_std=1.0, random_state=0
    )
    X_train, y_true_train = X[:300], y_true[:300]
    y_train, flipped = flip_labels(y_true_train, rate=0.2, random_state=0)
    rng = np.random.RandomState(0)
    copies = X_train[flipped] + rng.normal(scale=1e-3, size=X_train[flipped].shape)
    X_val = np.vstack([copies, X[300:]])
    y_val = np.concatenate([y_train[flipped], y_true[300:]])
    wrong = np.arange(y_val.shape[0]) < flipped.sum()

    def candidate(estimator):
        clf = DifficultyWeightedClassifier(
            estimator, difficulty_estimator=KEPT, weighting="none"
        )
        return clf.fit(X_train, y_train)

    robust = candidate(LogisticRegression())
    memorizing = candidate(DecisionTreeClassifier(random_state=0))
    plain = make_scorer(accuracy_score)
    clean = make_clean_scorer(accuracy_score)
    assert plain(memorizing, X_val, y_val) > plain(robust, X_val, y_val)
    assert clean(robust, X_val, y_val) > clean(memorizing, X_val, y_val) + 0.1
    # Both are scored on the same samples, and those are the right labels.
    mask = clean.clean_mask(robust, X_val, y_val)
    assert_array_equal(mask, clean.clean_mask(memorizing, X_val, y_val))
    assert not (mask & wrong).any()
    assert mask[~wrong].mean() > 0.9


def test_the_score_is_the_score_of_the_kept_samples(noisy, fitted):
    X, y, _ = noisy
    X_val, y_val = X[160:], y[160:]
    scorer = make_clean_scorer(balanced_accuracy_score)
    mask = scorer.clean_mask(fitted, X_val, y_val)
    assert 0 < mask.sum() < mask.shape[0]
    expected = balanced_accuracy_score(y_val[mask], fitted.predict(X_val)[mask])
    assert scorer(fitted, X_val, y_val) == pytest.approx(expected)


def test_with_every_sample_clean_it_equals_make_scorer(noisy, fitted):
    X, y, _ = noisy
    X_val, y_val = X[160:], y[160:]
    everything = make_clean_scorer(balanced_accuracy_score, cutoff=1e9)
    assert everything.clean_mask(fitted, X_val, y_val).all()
    plain = make_scorer(balanced_accuracy_score)
    assert everything(fitted, X_val, y_val) == plain(fitted, X_val, y_val)


def test_the_mask_is_the_mad_cutoff_of_the_heldout_difficulty(noisy, fitted):
    X, y, _ = noisy
    X_val, y_val = X[160:], y[160:]
    models = fitted.difficulty_estimator_.estimators_
    proba = np.array([m.predict_proba(X_val) for m in models])
    difficulty = -np.log(proba[:, np.arange(y_val.shape[0]), y_val]).mean(axis=0)
    expected = difficulty <= difficulty_cutoff(difficulty, y_val, method="mad")
    mask = make_clean_scorer(accuracy_score).clean_mask(fitted, X_val, y_val)
    assert_array_equal(mask, expected)
    # The other cut-offs leave out more or fewer, from the same difficulty.
    noise = make_clean_scorer(accuracy_score, cutoff="noise")
    assert 0 < noise.clean_mask(fitted, X_val, y_val).sum() < y_val.shape[0]


def test_it_leaves_out_mostly_wrong_labels(noisy, fitted):
    X, y, flipped = noisy
    mask = make_clean_scorer(accuracy_score).clean_mask(fitted, X[160:], y[160:])
    # 20% of the labels are wrong; few of those kept are.
    assert flipped[160:][mask].mean() < 0.5 * flipped[160:].mean()


def test_sample_weight_loss_and_kwargs_follow_the_kept_samples(noisy, fitted):
    X, y, _ = noisy
    X_val, y_val = X[160:], y[160:]
    mask = make_clean_scorer(accuracy_score).clean_mask(fitted, X_val, y_val)
    weights = np.linspace(0.5, 2.0, y_val.shape[0])
    weighted = make_clean_scorer(accuracy_score)(
        fitted, X_val, y_val, sample_weight=weights
    )
    expected = accuracy_score(
        y_val[mask], fitted.predict(X_val)[mask], sample_weight=weights[mask]
    )
    assert weighted == pytest.approx(expected)
    loss = make_clean_scorer(
        log_loss,
        response_method="predict_proba",
        greater_is_better=False,
        labels=[0, 1, 2],
    )
    proba = fitted.predict_proba(X_val)[mask]
    expected = -log_loss(y_val[mask], proba, labels=[0, 1, 2])
    assert loss(fitted, X_val, y_val) == pytest.approx(expected)


def test_validation_source_cross_fits_the_fold_itself_once(noisy, monkeypatch):
    X, y, _ = noisy
    X_val, y_val = X[160:], y[160:]
    plain = KNeighborsClassifier().fit(X[:160], y[:160])  # any estimator
    scorer = make_clean_scorer(accuracy_score, source="validation", cutoff="noise")
    reference = DifficultyEstimator(random_state=0, keep_estimators=False)
    reference.fit(X_val, y_val)
    d = reference.difficulty_
    limit = difficulty_cutoff(
        d, y_val, method="noise", heldout_proba=reference.heldout_proba_
    )
    fits = []
    original = DifficultyEstimator.fit
    monkeypatch.setattr(
        DifficultyEstimator,
        "fit",
        lambda self, *a, **k: fits.append(1) or original(self, *a, **k),
    )
    first = scorer.clean_mask(plain, X_val, y_val)
    assert_array_equal(first, d <= limit)
    # Another candidate on the same fold reads the cached difficulty.
    other = LogisticRegression().fit(X[:160], y[:160])
    assert_array_equal(scorer.clean_mask(other, X_val, y_val), first)
    assert len(fits) == 1


def test_in_a_search_every_candidate_of_a_split_is_scored_on_the_same_samples(noisy):
    X, y, _ = noisy
    clf = DifficultyWeightedClassifier(difficulty_estimator=KEPT, random_state=0)
    grid = {"weighting": ["none", "easy_first", "hard_first"], "strength": [4]}
    scorer = make_clean_scorer(balanced_accuracy_score)
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    search = GridSearchCV(clf, grid, scoring=scorer, cv=cv).fit(X, y)
    scores = search.cv_results_["mean_test_score"]
    assert search.best_params_["weighting"] != "hard_first"
    assert scores[2] < scores[0] - 0.1  # hard_first fits the wrong labels
    train, test = next(cv.split(X, y))
    masks = [
        scorer.clean_mask(
            clf.set_params(**params).fit(X[train], y[train]), X[test], y[test]
        )
        for params in search.cv_results_["params"]
    ]
    for mask in masks[1:]:
        assert_array_equal(mask, masks[0])


@pytest.mark.parametrize("source", ["difficulty", "validation"])
def test_multi_metric_parallel_search_gives_the_serial_scores(noisy, source):
    X, y, _ = noisy
    clf = DifficultyWeightedClassifier(difficulty_estimator=KEPT, random_state=0)
    grid = {"weighting": ["none", "easy_first"], "strength": [4]}
    clean = make_clean_scorer(balanced_accuracy_score, source=source)
    scoring = {"clean": clean, "noisy": "balanced_accuracy"}
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    results = [
        GridSearchCV(clf, grid, scoring=scoring, refit="clean", cv=cv, n_jobs=n_jobs)
        .fit(X, y)
        .cv_results_
        for n_jobs in (1, 2)
    ]
    for key in ("mean_test_clean", "mean_test_noisy"):
        assert_allclose(results[0][key], results[1][key])
    assert not np.allclose(results[0]["mean_test_clean"], results[0]["mean_test_noisy"])


def test_a_pickled_scorer_scores_alike(noisy, fitted):
    X, y, _ = noisy
    scorer = make_clean_scorer(balanced_accuracy_score, cutoff="mixture")
    copy = pickle.loads(pickle.dumps(scorer))
    assert copy(fitted, X[160:], y[160:]) == scorer(fitted, X[160:], y[160:])
    assert repr(copy) == repr(scorer)
    assert repr(scorer) == (
        "make_clean_scorer(balanced_accuracy_score, source='difficulty', "
        "cutoff='mixture', response_method='predict')"
    )
    loss = make_clean_scorer(
        log_loss,
        response_method="predict_proba",
        greater_is_better=False,
        labels=[0, 1, 2],
    )
    assert repr(pickle.loads(pickle.dumps(loss))) == (
        "make_clean_scorer(log_loss, greater_is_better=False, source='difficulty', "
        "cutoff='mad', response_method='predict_proba', labels=[0, 1, 2])"
    )


def test_a_regressor_is_scored_without_its_gross_errors():
    X, y = make_regression(n_samples=200, n_features=3, noise=1.0, random_state=0)
    y = y.copy()
    gross = np.zeros(y.shape[0], dtype=bool)
    gross[::10] = True
    y[gross] += 10 * y.std()
    reg = DifficultyWeightedRegressor(
        LinearRegression(),
        difficulty_estimator=KEPT,
        weighting="huber",
        strength=4,
    ).fit(X[:120], y[:120])
    scorer = make_clean_scorer(mean_squared_error, greater_is_better=False)
    mask = scorer.clean_mask(reg, X[120:], y[120:])
    assert_array_equal(mask, ~gross[120:])
    clean_mse = mean_squared_error(y[120:][mask], reg.predict(X[120:])[mask])
    assert scorer(reg, X[120:], y[120:]) == pytest.approx(-clean_mse)
    # Cross-fitted on the validation part alone (a plain regressor): every
    # gross error is left out, and at most one right target with them.
    plain = LinearRegression().fit(X[:120], y[:120])
    own = make_clean_scorer(
        mean_squared_error, greater_is_better=False, source="validation"
    ).clean_mask(plain, X[120:], y[120:])
    assert not own[gross[120:]].any()
    assert (~own[~gross[120:]]).sum() <= 1
    with pytest.raises(ValueError, match="regressor; use cutoff='mad'"):
        make_clean_scorer(mean_squared_error, cutoff="noise")(reg, X[120:], y[120:])


def test_an_estimator_without_a_difficulty_says_what_to_use(noisy):
    X, y, _ = noisy
    plain = LogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match="LogisticRegression has no difficulty_esti"):
        make_clean_scorer(accuracy_score)(plain, X, y)


def test_dropped_models_and_refine_are_refused(noisy):
    X, y, _ = noisy
    dropped = DifficultyWeightedClassifier(
        difficulty_estimator=clone(KEPT).set_params(keep_estimators=False)
    ).fit(X, y)
    scorer = make_clean_scorer(accuracy_score)
    with pytest.raises(ValueError, match=r"keep_estimators=True\) to the meta"):
        scorer(dropped, X, y)
    refined = DifficultyWeightedClassifier(difficulty_estimator=KEPT, refine=1)
    with pytest.raises(ValueError, match="refine=1 the last round"):
        scorer(refined.fit(X, y), X, y)


def test_labels_the_difficulty_never_saw_are_refused(noisy, fitted):
    X, y, _ = noisy
    with pytest.raises(ValueError, match="labels that the estimator was not fitted"):
        make_clean_scorer(accuracy_score)(fitted, X[160:], y[160:] + 5)


def test_a_cutoff_that_keeps_nothing_is_refused(noisy, fitted):
    X, y, _ = noisy
    with pytest.raises(ValueError, match="No validation sample .* Raise cutoff"):
        make_clean_scorer(accuracy_score, cutoff=0.0)(fitted, X[160:], y[160:])


def test_a_2d_y_is_refused(noisy, fitted):
    X, y, _ = noisy
    with pytest.raises(ValueError, match="y must be 1-D"):
        make_clean_scorer(accuracy_score).clean_mask(
            fitted, X[160:], np.c_[y[160:], y[160:]]
        )


@pytest.mark.parametrize(
    "params, match",
    [
        ({"cutoff": "auto"}, "'cutoff' parameter"),
        ({"cutoff": -1.0}, "'cutoff' parameter"),
        ({"source": "training"}, "'source' parameter"),
        ({"response_method": "transform"}, "'response_method' parameter"),
        ({"greater_is_better": "yes"}, "'greater_is_better' parameter"),
        ({"difficulty_estimator": "lr"}, "'difficulty_estimator' parameter"),
    ],
)
def test_invalid_parameters_are_refused(params, match):
    with pytest.raises(InvalidParameterError, match=match):
        make_clean_scorer(accuracy_score, **params)


def test_a_score_func_must_be_callable():
    with pytest.raises(InvalidParameterError, match="'score_func' parameter"):
        make_clean_scorer("accuracy")


def test_a_reference_needs_the_validation_source_and_an_integer_seed():
    with pytest.raises(ValueError, match="Pass source='validation'"):
        make_clean_scorer(accuracy_score, difficulty_estimator=KEPT)
    with pytest.raises(ValueError, match="integer random_state.*got random_state=None"):
        make_clean_scorer(
            accuracy_score,
            source="validation",
            difficulty_estimator=DifficultyEstimator(),
        )
