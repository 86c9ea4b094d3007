"""DifficultyEstimator: values, identities and equivalences.

Bad input and failing fits are in test_reliability.py, the split plans in
test_resampling.py and the accumulators in test_decomposition.py.
"""

import numpy as np
import pytest
from _recording import RecordingClassifier
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from scipy.special import softmax
from sklearn.base import clone
from sklearn.datasets import load_iris, make_regression
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.tree import DecisionTreeClassifier

from skdifficulty import DifficultyEstimator


def explicit_splits(y, n_splits=4, seeds=(0, 1)):
    """A fixed list of stratified splits, to replay them by hand."""
    return [
        (train, test)
        for seed in seeds
        for train, test in StratifiedKFold(
            n_splits, shuffle=True, random_state=seed
        ).split(np.zeros(len(y)), y)
    ]


def brute_force(estimator, X, y, splits):
    """Held-out probabilities of every sample, model by model."""
    held_out = [[] for _ in range(len(y))]
    for train, test in splits:
        model = clone(estimator).fit(X[train], y[train])
        for i, p in zip(test, model.predict_proba(X[test]), strict=True):
            held_out[i].append(p)
    return [np.array(p) for p in held_out]


@pytest.mark.parametrize("loss", ["log_loss", "brier"])
def test_bias_plus_variance_is_difficulty(data, loss):
    X, y = data
    est = DifficultyEstimator(loss=loss, n_repeats=3, random_state=0).fit(X, y)
    assert_allclose(est.bias_ + est.variance_, est.difficulty_, rtol=0, atol=1e-10)
    assert np.all(est.variance_ >= 0)
    assert np.all(est.bias_ >= 0)


def test_regression_bias_plus_variance_is_difficulty():
    X, y = make_regression(n_samples=80, n_features=4, noise=10, random_state=0)
    y = y + 1e4  # a large offset: the running moments must not cancel
    est = DifficultyEstimator(Ridge(), n_repeats=3, random_state=0).fit(X, y)
    assert est.loss_ == "squared_error"
    assert_allclose(est.bias_ + est.variance_, est.difficulty_, rtol=1e-10, atol=1e-8)
    assert est.difficulty_.shape == (80,)
    assert est.heldout_prediction_.shape == (80,)


def test_log_loss_matches_brute_force(data):
    """Difficulty, bias and variance equal their definitions computed by hand."""
    X, y = data
    splits = explicit_splits(y)
    lr = LogisticRegression(max_iter=500)
    est = DifficultyEstimator(lr, cv=splits).fit(X, y)
    held_out = brute_force(lr, X, y, splits)
    eps = 1e-15
    for i, probas in enumerate(held_out):
        p = np.clip(probas, eps, 1)
        p /= p.sum(axis=1, keepdims=True)
        mean_log = np.log(p).mean(axis=0)
        pbar = softmax(mean_log)
        kl = np.sum(pbar * (np.log(pbar) - np.log(p)), axis=1)
        assert est.n_evaluations_[i] == len(probas) == 2
        assert_allclose(est.difficulty_[i], -np.log(p[:, y[i]]).mean(), rtol=1e-10)
        assert_allclose(est.bias_[i], -np.log(pbar[y[i]]), rtol=1e-9, atol=1e-12)
        assert_allclose(est.variance_[i], kl.mean(), rtol=1e-7, atol=1e-12)
        assert_allclose(est.heldout_proba_[i], probas.mean(axis=0), rtol=1e-10)
        losses = -np.log(p[:, y[i]])
        assert_allclose(
            est.standard_error_[i], losses.std(ddof=1) / np.sqrt(2), rtol=1e-7
        )


def test_brier_and_zero_one_match_brute_force(data):
    X, y = data
    splits = explicit_splits(y)
    lr = LogisticRegression(max_iter=500)
    held_out = brute_force(lr, X, y, splits)
    brier = DifficultyEstimator(lr, cv=splits, loss="brier").fit(X, y)
    zero_one = DifficultyEstimator(lr, cv=splits, loss="zero_one").fit(X, y)
    for i, probas in enumerate(held_out):
        onehot = np.eye(3)[y[i]]
        pbar = probas.mean(axis=0)
        assert_allclose(brier.difficulty_[i], ((probas - onehot) ** 2).sum(1).mean())
        assert_allclose(brier.bias_[i], ((pbar - onehot) ** 2).sum(), atol=1e-12)
        # C-score: share of held-out models predicting the true label.
        c_score = np.mean(probas.argmax(axis=1) == y[i])
        assert_allclose(zero_one.difficulty_[i], 1 - c_score)
    assert not hasattr(zero_one, "bias_")
    assert_array_equal(zero_one.get_feature_names_out(), ["difficulty"])
    assert zero_one.fit_transform(X, y).shape == (len(y), 1)


def test_flipped_label_is_harder_than_its_clean_twin():
    X, y = load_iris(return_X_y=True)
    rng = np.random.RandomState(0)
    twins = rng.choice(len(y), size=10, replace=False)
    X2 = np.vstack([X, X[twins]])
    y2 = np.concatenate([y, (y[twins] + 1) % 3])  # the copy has a wrong label
    est = DifficultyEstimator(n_repeats=3, random_state=0).fit(X2, y2)
    clean, flipped = est.difficulty_[twins], est.difficulty_[len(y) :]
    assert np.all(flipped > clean)
    # A wrong label is a bias: the models agree, on another class.
    assert np.all(est.bias_[len(y) :] > est.bias_[twins])


def test_random_state_makes_runs_identical(data):
    X, y = data
    est = DifficultyEstimator(
        DecisionTreeClassifier(max_features=2), n_repeats=2, random_state=0
    )
    first = est.fit(X, y).difficulty_.copy()
    assert_array_equal(first, clone(est).fit(X, y).difficulty_)
    other = clone(est).set_params(random_state=1).fit(X, y).difficulty_
    assert not np.array_equal(first, other)


def test_class_absent_from_a_training_part_is_aligned():
    X, y = load_iris(return_X_y=True)
    y = y.copy()
    # Class 2 lives only in the first test fold of this plan.
    keep = np.concatenate([np.flatnonzero(y < 2), np.flatnonzero(y == 2)[:10]])
    X, y = X[keep], y[keep]
    order = np.argsort(y == 2)[::-1]  # class-2 samples first
    X, y = X[order], y[order]
    cv = KFold(n_splits=2)  # fold 0 tests the class-2 block, trains without it
    with pytest.warns(UserWarning, match="trained without every class"):
        est = DifficultyEstimator(cv=cv).fit(X, y)
    assert est.heldout_proba_.shape == (len(y), 3)
    first_fold = next(cv.split(X))[1]
    class2 = first_fold[y[first_fold] == 2]
    assert_allclose(est.heldout_proba_[class2, 2], 0.0)
    assert_allclose(est.difficulty_[class2], -np.log(1e-15 / (1 + 2e-15)), rtol=1e-6)


def test_string_labels_dataframe_and_pandas_output():
    pd = pytest.importorskip("pandas")
    X, y = load_iris(return_X_y=True, as_frame=True)
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    est = DifficultyEstimator(n_repeats=1, random_state=0).set_output(
        transform="pandas"
    )
    scores = est.fit_transform(X, labels)
    assert isinstance(scores, pd.DataFrame)
    assert list(scores.columns) == ["difficulty", "bias", "variance"]
    assert_array_equal(est.classes_, ["setosa", "versicolor", "virginica"])
    assert_array_equal(est.feature_names_in_, X.columns)
    numeric = DifficultyEstimator(n_repeats=1, random_state=0).fit(X.to_numpy(), y)
    assert_allclose(scores["difficulty"], numeric.difficulty_)
    assert isinstance(est.transform(X.iloc[:5]), pd.DataFrame)


def test_sparse_input_matches_dense(data):
    X, y = data
    lr = LogisticRegression(max_iter=1000)
    dense = DifficultyEstimator(lr, n_repeats=1, random_state=0).fit(X, y)
    sp = DifficultyEstimator(lr, n_repeats=1, random_state=0).fit(
        sparse.csr_matrix(X), y
    )
    assert_allclose(sp.difficulty_, dense.difficulty_, rtol=1e-5)
    # The default pipeline scales sparse input without centering it.
    default = DifficultyEstimator(n_repeats=1, random_state=0)
    assert default.fit(sparse.csr_matrix(X), y).difficulty_.shape == (len(y),)


def test_sample_weight_and_fit_params_reach_every_fit(data):
    X, y = data
    splits = explicit_splits(y, n_splits=3, seeds=(0,))
    w = np.arange(1, len(y) + 1, dtype=float)
    tag = np.arange(len(y)) * 10
    w_before = w.copy()
    est = DifficultyEstimator(RecordingClassifier(), cv=splits).fit(
        X, y, sample_weight=w, tag=tag
    )
    for model, (train, _) in zip(est.estimators_, splits, strict=True):
        assert_array_equal(model.sample_weight_, w[train])
        assert_array_equal(model.tag_, tag[train])
    assert_array_equal(w, w_before)


def test_weights_reach_a_pipelines_last_step(data):
    X, y = data
    splits = explicit_splits(y, n_splits=3, seeds=(0,))
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    pipe = make_pipeline(StandardScaler(), RecordingClassifier())
    w = np.linspace(0.5, 2, len(y))
    est = DifficultyEstimator(pipe, cv=splits).fit(X, y, sample_weight=w)
    for model, (train, _) in zip(est.estimators_, splits, strict=True):
        assert_array_equal(model[-1].sample_weight_, w[train])


def test_transform_gives_the_label_free_part(data):
    X, y = data
    est = DifficultyEstimator(n_repeats=2, random_state=0).fit(X, y)
    X_new = X[:7] + 0.3
    scores = est.transform(X_new)
    log_p = np.mean(
        [np.log(np.clip(m.predict_proba(X_new), 1e-15, 1)) for m in est.estimators_],
        axis=0,
    )
    log_z = np.log(np.exp(log_p).sum(axis=1))
    pbar = np.exp(log_p - log_z[:, None])
    entropy = -(pbar * np.log(pbar)).sum(axis=1)
    assert_allclose(scores[:, 2], -log_z, rtol=1e-6, atol=1e-12)
    assert_allclose(scores[:, 1], entropy, rtol=1e-6)
    assert_allclose(scores[:, 0], scores[:, 1] + scores[:, 2])


def test_transform_without_kept_estimators_says_what_to_do(data):
    X, y = data
    est = DifficultyEstimator(n_repeats=1, keep_estimators=False).fit(X, y)
    assert not hasattr(est, "estimators_")
    with pytest.raises(NotFittedError, match="keep_estimators=True"):
        est.transform(X)


def test_regressor_transform_uses_the_mean_training_bias():
    X, y = make_regression(n_samples=60, n_features=3, noise=5, random_state=0)
    est = DifficultyEstimator(LinearRegression(), n_repeats=2, random_state=0)
    est.fit(X, y)
    scores = est.transform(X[:4])
    assert_allclose(scores[:, 1], est.bias_.mean())
    preds = np.array([m.predict(X[:4]) for m in est.estimators_])
    assert_allclose(scores[:, 2], preds.var(axis=0), rtol=1e-8)


def test_progress_bar_when_verbose(data, capsys):
    X, y = data
    DifficultyEstimator(n_repeats=1, verbose=1).fit(X, y)
    assert "resampled fits" in capsys.readouterr().err
