"""BaselineRefit: the paired one-standard-error refit rule for searches."""

import pickle

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.datasets import load_digits, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from skdifficulty import (
    BaselineRefit,
    DifficultyEstimator,
    DifficultyWeightedClassifier,
)
from skdifficulty.datasets import flip_labels


def cv_results(scores, params=None, metric="score"):
    """A minimal ``cv_results_`` with one row of split scores per candidate."""
    scores = np.asarray(scores, dtype=float)
    if params is None:
        params = [{"weighting": "none"}] + [
            {"weighting": "easy_first", "strength": s} for s in range(1, len(scores))
        ]
    out = {"params": params, f"mean_test_{metric}": np.nanmean(scores, axis=1)}
    for k in range(scores.shape[1]):
        out[f"split{k}_test_{metric}"] = scores[:, k]
    return out


def reference_choice(scores, base, n_se):
    """The rule written out candidate by candidate."""
    n_candidates, n_splits = scores.shape
    best, best_mean = base, scores[base].mean()
    for i in range(n_candidates):
        gains = [scores[i, k] - scores[base, k] for k in range(n_splits)]
        mean = sum(gains) / n_splits
        sd = np.sqrt(sum((g - mean) ** 2 for g in gains) / (n_splits - 1))
        if i != base and mean > n_se * sd / np.sqrt(n_splits):
            if scores[i].mean() > best_mean:
                best, best_mean = i, scores[i].mean()
    return best


def test_a_consistent_small_gain_is_taken():
    # fold scores vary a lot, but the candidate is better on every fold
    base = np.array([0.50, 0.90, 0.60, 0.80, 0.70])
    scores = [base, base + 0.01, base + np.array([0.2, -0.2, 0.2, -0.2, 0.05])]
    assert BaselineRefit()(cv_results(scores)) == 1


def test_a_gain_within_the_noise_falls_back_to_the_baseline():
    base = np.array([0.50, 0.90, 0.60, 0.80, 0.70])
    scores = [base, base + np.array([0.2, -0.2, 0.2, -0.2, 0.05])]
    # the best mean score (+0.01) is not a clear gain
    assert np.argmax(np.mean(scores, axis=1)) == 1
    assert BaselineRefit()(cv_results(scores)) == 0
    # nor is an exact tie
    assert BaselineRefit(n_se=0)(cv_results([base, base])) == 0


def test_n_se_zero_takes_the_best_mean_score():
    rng = np.random.default_rng(0)
    for _ in range(50):
        scores = rng.uniform(size=(6, 5))
        best = int(np.argmax(scores.mean(axis=1)))
        assert BaselineRefit(n_se=0)(cv_results(scores)) == best


@pytest.mark.parametrize("n_se", [0.5, 1.0, 2.0])
def test_matches_the_rule_written_out(n_se):
    rng = np.random.default_rng(1)
    for _ in range(100):
        n_splits = rng.integers(2, 8)
        # a shared fold effect plus small candidate effects, as in real searches
        fold = rng.normal(0, 0.05, size=n_splits)
        scores = 0.8 + fold + rng.normal(0, 0.01, size=(5, n_splits))
        scores += rng.normal(0, 0.01, size=(5, 1))
        base = int(rng.integers(5))
        params = [{"weighting": "x", "strength": i} for i in range(5)]
        params[base] = {"weighting": "none"}
        chosen = BaselineRefit(n_se=n_se)(cv_results(scores, params))
        assert chosen == reference_choice(scores, base, n_se)


def test_the_best_of_several_baselines_is_the_reference():
    params = [
        {"weighting": "none", "normalize": "mean"},
        {"weighting": "none", "normalize": "class"},
        {"weighting": "easy_first", "normalize": "mean"},
    ]
    base = np.array([0.5, 0.6, 0.7, 0.8])
    # candidate 2 beats the first baseline on every split, not the second
    scores = [base, base + 0.05, base + 0.02]
    assert BaselineRefit()(cv_results(scores, params)) == 1
    custom = BaselineRefit({"weighting": "none", "normalize": "mean"})
    assert custom(cv_results(scores[::2], params[::2])) == 1


def test_failed_candidates_are_ruled_out():
    base = np.array([0.5, 0.6, 0.7, 0.8])
    scores = [base, base + np.array([0.1, 0.1, np.nan, 0.1]), base + 0.01]
    assert BaselineRefit()(cv_results(scores)) == 2
    with pytest.raises(ValueError, match="failed split"):
        BaselineRefit()(cv_results([base + np.array([0, np.nan, 0, 0]), base]))


def test_errors_name_the_problem():
    base = np.array([0.5, 0.6, 0.7])
    params = [{"weighting": "easy_first", "strength": s} for s in (1, 2)]
    with pytest.raises(ValueError, match=r"baseline parameters \{'weighting': 'none'"):
        BaselineRefit()(cv_results([base, base], params))
    with pytest.raises(ValueError, match=r"metric 'score'.*\['accuracy'\]"):
        BaselineRefit()(cv_results([base, base], metric="accuracy"))
    with pytest.raises(ValueError, match="at least 2 cross-validation splits"):
        BaselineRefit()(cv_results([[0.5], [0.6]]))
    with pytest.raises(InvalidParameterError, match="n_se"):
        BaselineRefit(n_se=-1)
    with pytest.raises(InvalidParameterError, match="baseline"):
        BaselineRefit("none")


def test_multi_metric_search_compares_the_named_metric():
    base = np.array([0.5, 0.6, 0.7])
    results = cv_results([base, base + 0.1], metric="balanced_accuracy")
    results.update(cv_results([base, base - 0.1], metric="accuracy"))
    assert BaselineRefit(metric="balanced_accuracy")(results) == 1
    assert BaselineRefit(metric="accuracy")(results) == 0


def test_in_a_grid_search_it_sets_the_chosen_candidate():
    X, y = make_classification(n_samples=120, random_state=0)
    grid = {"C": [1e-4, 1.0]}
    # a tiny C is a clearly worse "baseline" (log loss near log 2 on every
    # split): the search must leave it
    search = GridSearchCV(
        LogisticRegression(),
        grid,
        scoring="neg_log_loss",
        refit=BaselineRefit({"C": 1e-4}),
    ).fit(X, y)
    assert search.best_params_ == {"C": 1.0}
    assert search.best_estimator_.C == 1.0
    plain = GridSearchCV(LogisticRegression(), grid, scoring="neg_log_loss")
    plain.fit(X, y)
    assert search.best_index_ == plain.best_index_
    restored = pickle.loads(pickle.dumps(search))
    assert_array_equal(restored.predict(X), search.predict(X))
    assert "BaselineRefit(baseline={'C': 0.0001}" in repr(search)


@pytest.mark.filterwarnings("ignore", category=ConvergenceWarning)
def test_finds_easy_first_on_noisy_labels_and_keeps_none_on_clean_ones():
    X, y = load_digits(return_X_y=True)
    X, y = X[:600], y[:600]
    y_noisy, _ = flip_labels(y, rate=0.3, random_state=0)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=300))
    clf = DifficultyWeightedClassifier(
        model,
        difficulty_estimator=DifficultyEstimator(
            model, n_repeats=1, keep_estimators=False
        ),
        random_state=0,
    )
    grid = [{"weighting": ["none"]}, {"weighting": ["easy_first"], "strength": [4]}]
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    search = GridSearchCV(clf, grid, cv=cv, refit=BaselineRefit())
    assert search.fit(X, y_noisy).best_params_["weighting"] == "easy_first"
    # on clean labels, easy_first s=4 throws away informative hard samples
    assert search.fit(X, y).best_params_["weighting"] == "none"
