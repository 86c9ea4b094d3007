"""DifficultyEstimator: values, identities, equivalences and errors."""

import re
import warnings

import numpy as np
import pytest
from _recording import NoWeightsClassifier, RecordingClassifier
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from scipy.special import softmax
from sklearn.base import clone
from sklearn.datasets import load_iris, make_classification, make_regression
from sklearn.exceptions import FitFailedWarning, NotFittedError
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

from skdifficulty import DifficultyEstimator
from skdifficulty._decomposition import make_accumulator
from skdifficulty._resampling import make_splits


@pytest.fixture
def data():
    X, y = make_classification(
        n_samples=120, n_features=5, n_informative=3, n_classes=3, random_state=0
    )
    return X, y


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


def test_results_do_not_depend_on_n_jobs(data):
    X, y = data
    kwargs = dict(n_repeats=2, random_state=3, resampling="bootstrap")
    one = DifficultyEstimator(**kwargs, n_jobs=1).fit(X, y)
    two = DifficultyEstimator(**kwargs, n_jobs=2).fit(X, y)
    assert_array_equal(one.difficulty_, two.difficulty_)
    assert_array_equal(one.bias_, two.bias_)
    assert_array_equal(one.n_evaluations_, two.n_evaluations_)


def test_random_state_makes_runs_identical(data):
    X, y = data
    est = DifficultyEstimator(
        DecisionTreeClassifier(max_features=2), n_repeats=2, random_state=0
    )
    first = est.fit(X, y).difficulty_.copy()
    assert_array_equal(first, clone(est).fit(X, y).difficulty_)
    other = clone(est).set_params(random_state=1).fit(X, y).difficulty_
    assert not np.array_equal(first, other)


@pytest.mark.parametrize("loss", ["log_loss", "brier", "zero_one", "squared_error"])
def test_accumulator_memory_does_not_grow_with_fits(loss):
    n_samples, n_classes = 50, 4
    rng = np.random.RandomState(0)
    y = rng.randint(n_classes, size=n_samples)
    acc = make_accumulator(loss, n_samples, n_classes, y.astype(float))
    if loss != "squared_error":
        acc = make_accumulator(loss, n_samples, n_classes, y)

    def nbytes():
        arrays = [v for v in vars(acc).values()] + [
            a
            for m in vars(acc).values()
            if hasattr(m, "count")
            for a in vars(m).values()
        ]
        return sum(a.nbytes for a in arrays if isinstance(a, np.ndarray))

    def one_fit():
        test = rng.choice(n_samples, size=10, replace=False)
        if loss in ("log_loss", "brier"):
            pred = rng.dirichlet(np.ones(n_classes), size=10)
        else:
            pred = rng.randint(n_classes, size=10).astype(float)
        acc.update(test, pred)

    one_fit()
    after_one = nbytes()
    for _ in range(200):
        one_fit()
    assert nbytes() == after_one
    assert acc.n_evaluations.sum() == 201 * 10


@pytest.mark.parametrize("resampling", ["bootstrap", "subsample"])
def test_samples_are_scored_only_by_models_that_did_not_see_them(data, resampling):
    X, y = data
    splits = list(
        make_splits(X, y, resampling=resampling, cv=5, n_repeats=2, random_state=0)
    )
    assert len(splits) >= 10  # more where 10 left samples unscored
    counts = np.zeros(len(y), dtype=int)
    for split in splits:
        assert not np.intersect1d(split.train, split.test).size
        assert set(np.unique(y[split.train])) == {0, 1, 2}
        counts[split.test] += 1
    assert counts.min() >= 1
    est = DifficultyEstimator(
        resampling=resampling, cv=5, n_repeats=4, random_state=0
    ).fit(X, y)
    assert est.n_evaluations_.min() >= 1
    # Every fit trains on the size promised: (cv - 1) / cv of the samples for
    # a subsample, n draws for a bootstrap, extra fits included.
    size = 96 if resampling == "subsample" else len(y)
    assert all(len(s.train) == size for s in splits)


def test_subsample_train_size(data):
    X, y = data
    splits = list(
        make_splits(
            X,
            y,
            resampling="subsample",
            cv=3,
            n_repeats=1,
            train_size=0.5,
            random_state=0,
        )
    )
    assert [len(s.train) for s in splits[:2]] == [60, 60]
    assert len(splits[-1].train) <= 60
    tested = np.concatenate([s.test for s in splits])
    assert_array_equal(np.unique(tested), np.arange(len(y)))


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


class FailingClassifier(RecordingClassifier):
    """Fails on a training part of one given size."""

    def __init__(self, fail_size=0):
        self.fail_size = fail_size

    def fit(self, X, y, sample_weight=None, tag=None):
        if len(X) == self.fail_size:
            raise ArithmeticError("cannot fit this part")
        return super().fit(X, y)


def test_a_failing_fit_names_its_repeat_and_fold(data):
    X, y = data
    splits = explicit_splits(y, n_splits=3, seeds=(0,))
    splits.append((np.arange(7, len(y)), np.arange(7)))  # fold 3 fails
    est = DifficultyEstimator(FailingClassifier(len(y) - 7), cv=splits)
    with pytest.raises(ArithmeticError, match="repeat 0, fold 3: ArithmeticError"):
        est.fit(X, y)
    with pytest.warns(FitFailedWarning, match="1 of 4 resampled fits failed"):
        est.set_params(on_error="skip").fit(X, y)
    assert est.n_failed_fits_ == 1
    assert_array_equal(est.n_evaluations_, np.ones(len(y)))


def test_failed_fits_that_leave_samples_unscored(data):
    X, y = data
    splits = [(np.arange(60), np.arange(60, 120)), (np.arange(60, 120), np.arange(60))]
    est = DifficultyEstimator(FailingClassifier(60), cv=splits, on_error="skip")
    with pytest.raises(ValueError, match="All 2 resampled fits failed"):
        est.fit(X, y)
    splits.append((np.arange(30, 120), np.arange(30)))
    with (
        pytest.warns(FitFailedWarning),
        pytest.raises(
            ValueError, match=r"90 samples .* never held out \(2 fits failed\)"
        ),
    ):
        est.set_params(cv=splits).fit(X, y)


@pytest.mark.parametrize("resampling", ["bootstrap", "subsample"])
@pytest.mark.parametrize("train_size", [None, 0.95])
def test_random_plans_score_every_sample_with_fits_of_the_promised_size(
    data, resampling, train_size
):
    # 2 fits leave ~40% (bootstrap) or ~25-90% (subsample) of the samples
    # unscored; extra fits of the same size, none training on those samples,
    # score them, and n_fits_ counts them.
    X, y = data
    splits = list(
        make_splits(
            X,
            y,
            resampling=resampling,
            cv=2,
            n_repeats=1,
            train_size=train_size,
            random_state=0,
        )
    )
    sizes = {len(split.train) for split in splits}
    expected = (
        len(y)
        if resampling == "bootstrap"
        else (len(y) // 2 if train_size is None else int(0.95 * len(y)))
    )
    assert sizes == {expected}
    assert len(splits) > 2
    held_out = np.zeros(len(y), dtype=bool)
    for split in splits:
        held_out[split.test] = True
    assert held_out.all()
    est = DifficultyEstimator(
        resampling=resampling,
        cv=2,
        n_repeats=1,
        train_size=train_size,
        random_state=0,
    ).fit(X, y)
    assert est.n_evaluations_.min() >= 1
    assert est.n_fits_ > 2  # the extra fits are counted


class NaNProbaClassifier(RecordingClassifier):
    def predict_proba(self, X):
        proba = super().predict_proba(X)
        proba[0, 0] = np.nan
        return proba


@pytest.mark.parametrize(
    "make_input, error, match",
    [
        (lambda X, y: (X, np.zeros_like(y)), ValueError, "single class"),
        (lambda X, y: (X[:-1], y), ValueError, "inconsistent numbers of samples"),
        (
            lambda X, y: (np.where(np.eye(*X.shape) > 0, np.nan, X), y),
            ValueError,
            "Input X contains NaN",
        ),
        (
            lambda X, y: (X, np.where(np.arange(len(y)) == 3, np.nan, y)),
            ValueError,
            "NaN",
        ),
    ],
)
def test_bad_input_is_refused(data, make_input, error, match):
    X, y = make_input(*data)
    with pytest.raises(error, match=match):
        DifficultyEstimator(n_repeats=1).fit(X, y)


def test_estimator_without_predict_proba(data):
    X, y = data
    with pytest.raises(TypeError, match="needs predict_proba, which SVC does not"):
        DifficultyEstimator(SVC()).fit(X, y)
    # The zero-one loss only needs predict.
    est = DifficultyEstimator(SVC(), loss="zero_one", n_repeats=1).fit(X, y)
    assert est.difficulty_.max() <= 1


def test_loss_must_fit_the_estimator(data):
    X, y = data
    with pytest.raises(ValueError, match="'squared_error' is for regressors"):
        DifficultyEstimator(loss="squared_error").fit(X, y)
    with pytest.raises(ValueError, match="needs a classifier, but Ridge"):
        DifficultyEstimator(Ridge(), loss="log_loss").fit(X, y)


def test_non_finite_probabilities_are_refused(data):
    X, y = data
    with pytest.raises(ValueError, match="predict_proba returned non-finite values"):
        DifficultyEstimator(NaNProbaClassifier(), n_repeats=1).fit(X, y)


def test_cv_that_never_holds_out_some_samples(data):
    X, y = data
    half = np.arange(60)
    cv = [(half, half + 60)]  # samples 60.. are tested, 0..59 never
    with pytest.raises(ValueError, match=re.escape("60 samples (the first: index 0)")):
        DifficultyEstimator(cv=cv).fit(X, y)


def test_sample_weight_is_validated(data):
    X, y = data
    w = np.ones(len(y))
    w[2] = -1
    with pytest.raises(
        ValueError, match="Negative values in data passed to `sample_weight`"
    ):
        DifficultyEstimator(n_repeats=1).fit(X, y, sample_weight=w)


def test_estimator_without_sample_weight(data):
    X, y = data

    with pytest.raises(
        TypeError, match="NoWeightsClassifier.fit does not accept sample_weight"
    ):
        DifficultyEstimator(NoWeightsClassifier()).fit(
            X, y, sample_weight=np.ones(len(y))
        )


def test_caller_data_is_not_changed(data):
    X, y = data
    X_before, y_before = X.copy(), y.copy()
    lr = LogisticRegression()
    params_before = lr.get_params()
    DifficultyEstimator(lr, n_repeats=1, random_state=0).fit_transform(X, y)
    assert_array_equal(X, X_before)
    assert_array_equal(y, y_before)
    assert lr.get_params() == params_before
    assert not hasattr(lr, "coef_")


def test_single_sample_class_warns_and_is_scored_as_unseen():
    X, y = load_iris(return_X_y=True)
    y = y.copy()
    y[0] = 3  # a class of one sample: no model that did not see it knows it
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = DifficultyEstimator(n_repeats=1, random_state=0).fit(X, y)
    assert est.difficulty_.argmax() == 0
    assert_allclose(est.heldout_proba_[0, 3], 0.0)
