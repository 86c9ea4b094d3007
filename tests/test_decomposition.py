"""Accumulators: running moments, the losses and their bias-variance split.

Every score is checked against a brute-force computation from all the
held-out predictions, kept in memory as the accumulators never do.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import softmax

from skdifficulty.estimate._decomposition import (
    CLASSIFICATION_LOSSES,
    DECOMPOSABLE_LOSSES,
    LOSSES,
    RunningMoments,
    make_accumulator,
)

N_SAMPLES, N_CLASSES = 25, 4
EPS = 1e-15


def held_out_plan(rng, n_samples=N_SAMPLES, n_repeats=5):
    """Test parts of a resampling plan, in a random order, each in random order.

    Each repeat cuts the samples into 2 to 4 parts, so every sample is held
    out ``n_repeats`` times.
    """
    parts = [
        part
        for _ in range(n_repeats)
        for part in np.array_split(rng.permutation(n_samples), rng.integers(2, 5))
    ]
    return [parts[i] for i in rng.permutation(len(parts))]


def random_proba(rng, n_rows, n_classes=N_CLASSES):
    """Probabilities with exact zeros (a class the model never saw, say)."""
    proba = rng.dirichlet(np.full(n_classes, 0.7), size=n_rows)
    zero = rng.random(proba.shape) < 0.15
    zero[np.arange(n_rows), proba.argmax(axis=1)] = False
    proba[zero] = 0.0
    return proba / proba.sum(axis=1, keepdims=True)


def accumulate(loss, y, plan, predictions):
    """An accumulator fed the plan's predictions, one fit at a time."""
    n_classes = 1 if loss == "squared_error" else N_CLASSES
    acc = make_accumulator(loss, N_SAMPLES, n_classes, y)
    for test, prediction in zip(plan, predictions, strict=True):
        acc.update(test, prediction)
    return acc


def per_sample(plan, predictions, n_samples=N_SAMPLES):
    """The stored held-out predictions of each sample, in plan order."""
    stored = [[] for _ in range(n_samples)]
    for test, prediction in zip(plan, predictions, strict=True):
        for i, p in zip(test, prediction, strict=True):
            stored[i].append(p)
    return [np.array(p) for p in stored]


# -- running moments --------------------------------------------------------------


@pytest.mark.parametrize("tail", [(), (3,)], ids=["vector", "matrix"])
def test_running_moments_match_numpy_in_any_order(tail):
    rng = np.random.default_rng(0)
    n = 12
    # Samples 0..9 get 1 to 30 values, sample 10 one value, sample 11 none;
    # a large offset: the moments must not cancel.
    updates = []
    for _ in range(30):
        indices = rng.permutation(10)[: rng.integers(1, 11)]
        updates.append((indices, 1e4 + rng.normal(size=(len(indices), *tail))))
    updates.append((np.array([10]), 1e4 + rng.normal(size=(1, *tail))))
    stored = per_sample([i for i, _ in updates], [v for _, v in updates], n)

    moments = RunningMoments((n, *tail))
    shuffled = RunningMoments((n, *tail))
    for indices, values in updates:
        moments.update(indices, values)
    for k in rng.permutation(len(updates)):
        indices, values = updates[k]
        order = rng.permutation(len(indices))
        shuffled.update(indices[order], values[order])

    for m in (moments, shuffled):
        assert_array_equal(m.count, [len(v) for v in stored])
        for i in range(11):
            assert_allclose(m.mean[i], stored[i].mean(axis=0), rtol=1e-13)
            assert_allclose(m.variance()[i], stored[i].var(axis=0), rtol=1e-9)
        assert_array_equal(m.mean[11], np.zeros(tail))
        assert np.all(np.isnan(m.variance()[11]))
        assert_array_equal(m.variance()[10], np.zeros(tail))
    assert_allclose(shuffled.mean, moments.mean, rtol=1e-13)
    assert_allclose(shuffled.m2, moments.m2, rtol=1e-9)


def test_standard_error_of_the_running_mean():
    rng = np.random.default_rng(1)
    plan = held_out_plan(rng, n_samples=8)
    values = [rng.normal(size=len(test)) for test in plan]
    moments = RunningMoments((9,))  # sample 8 gets a single value
    for test, v in zip(plan, values, strict=True):
        moments.update(test, v)
    moments.update(np.array([8]), np.array([3.0]))
    stored = per_sample(plan, values, n_samples=8)
    expected = [v.std(ddof=1) / np.sqrt(len(v)) for v in stored]
    assert_allclose(moments.standard_error()[:8], expected, rtol=1e-10)
    assert np.isnan(moments.standard_error()[8])


def test_running_moments_without_m2_keep_only_the_mean():
    moments = RunningMoments((3, 2), with_m2=False)
    moments.update(np.array([2, 0]), np.array([[1.0, 2.0], [3.0, 4.0]]))
    moments.update(np.array([2]), np.array([[3.0, 0.0]]))
    assert moments.m2 is None
    assert_array_equal(moments.count, [1, 0, 2])
    assert_array_equal(moments.mean, [[3, 4], [0, 0], [2, 1]])


# -- the losses and their split -----------------------------------------------------


def test_log_loss_split_matches_the_normalized_geometric_mean():
    """Difficulty = bias + variance (Heskes), on the probabilities clipped at eps."""
    rng = np.random.default_rng(2)
    y = rng.integers(N_CLASSES, size=N_SAMPLES)
    plan = held_out_plan(rng)
    probas = [random_proba(rng, len(test)) for test in plan]
    scores = accumulate("log_loss", y, plan, probas).scores()
    for i, p in enumerate(per_sample(plan, probas)):
        q = np.clip(p, EPS, 1)
        q /= q.sum(axis=1, keepdims=True)
        losses = -np.log(q[:, y[i]])
        pbar = softmax(np.log(q).mean(axis=0))  # normalized geometric mean
        kl = np.sum(pbar * (np.log(pbar) - np.log(q)), axis=1)
        log_z = np.log(np.exp(np.log(q).mean(axis=0)).sum())
        assert_allclose(scores["difficulty"][i], losses.mean(), rtol=1e-12)
        assert_allclose(scores["bias"][i], -np.log(pbar[y[i]]), rtol=1e-10, atol=1e-12)
        assert_allclose(scores["variance"][i], kl.mean(), rtol=1e-8, atol=1e-12)
        assert_allclose(scores["variance"][i], -log_z, rtol=1e-8, atol=1e-12)
        assert_allclose(
            scores["bias"][i] + scores["variance"][i], losses.mean(), rtol=0, atol=1e-10
        )
        assert_allclose(
            scores["standard_error"][i],
            losses.std(ddof=1) / np.sqrt(len(losses)),
            rtol=1e-9,
        )


def test_brier_split_matches_the_arithmetic_mean():
    rng = np.random.default_rng(3)
    y = rng.integers(N_CLASSES, size=N_SAMPLES)
    plan = held_out_plan(rng)
    probas = [random_proba(rng, len(test)) for test in plan]
    scores = accumulate("brier", y, plan, probas).scores()
    for i, p in enumerate(per_sample(plan, probas)):
        onehot = np.eye(N_CLASSES)[y[i]]
        pbar = p.mean(axis=0)
        losses = ((p - onehot) ** 2).sum(axis=1)
        assert_allclose(scores["difficulty"][i], losses.mean(), rtol=1e-12)
        assert_allclose(scores["bias"][i], ((pbar - onehot) ** 2).sum(), rtol=1e-10)
        assert_allclose(
            scores["variance"][i], ((p - pbar) ** 2).sum(axis=1).mean(), rtol=1e-9
        )
        assert_allclose(
            scores["bias"][i] + scores["variance"][i], losses.mean(), rtol=0, atol=1e-10
        )
    assert np.all(scores["difficulty"] <= 2)


def test_squared_error_split_matches_the_mean_prediction():
    rng = np.random.default_rng(4)
    y = 100 + 10 * rng.normal(size=N_SAMPLES)  # an offset the moments must keep
    plan = held_out_plan(rng)
    predictions = [y[test] + rng.normal(size=len(test)) for test in plan]
    acc = accumulate("squared_error", y, plan, predictions)
    scores = acc.scores()
    for i, f in enumerate(per_sample(plan, predictions)):
        losses = (f - y[i]) ** 2
        assert_allclose(scores["difficulty"][i], losses.mean(), rtol=1e-12)
        assert_allclose(
            scores["bias"][i], (f.mean() - y[i]) ** 2, rtol=1e-8, atol=1e-12
        )
        assert_allclose(scores["variance"][i], f.var(), rtol=1e-9)
        assert_allclose(
            scores["bias"][i] + scores["variance"][i], losses.mean(), rtol=0, atol=1e-10
        )
        assert_allclose(acc.mean_prediction()[i], f.mean(), rtol=1e-13)
    # Predictions as a column are folded in the same way.
    column = accumulate("squared_error", y, plan, [f[:, None] for f in predictions])
    for name, value in column.scores().items():
        assert_array_equal(value, scores[name])


def test_zero_one_is_one_minus_the_share_of_correct_models():
    rng = np.random.default_rng(5)
    y = rng.integers(N_CLASSES, size=N_SAMPLES)
    plan = held_out_plan(rng)
    labels = [rng.integers(N_CLASSES, size=len(test)) for test in plan]
    acc = accumulate("zero_one", y, plan, labels)
    scores = acc.scores()
    for i, votes in enumerate(per_sample(plan, labels)):
        assert_allclose(scores["difficulty"][i], 1 - np.mean(votes == y[i]))
        shares = np.bincount(votes, minlength=N_CLASSES) / len(votes)
        assert_allclose(acc.mean_prediction()[i], shares)
    assert set(scores) == {"difficulty", "standard_error"}  # no additive split


@pytest.mark.parametrize("loss", LOSSES)
def test_only_the_decomposable_losses_split(loss):
    y = np.arange(4) % 2 if loss in CLASSIFICATION_LOSSES else np.zeros(4)
    acc = make_accumulator(loss, 4, 2, y)
    prediction = np.array([[0.7, 0.3]] * 4) if loss in ("log_loss", "brier") else y
    acc.update(np.arange(4), prediction)
    split = {"bias", "variance"} <= set(acc.scores())
    assert split == (loss in DECOMPOSABLE_LOSSES)


@pytest.mark.parametrize("loss", ["log_loss", "brier"])
def test_the_mean_prediction_is_the_mean_of_the_unclipped_probabilities(loss):
    rng = np.random.default_rng(6)
    y = rng.integers(N_CLASSES, size=N_SAMPLES)
    plan = held_out_plan(rng)
    probas = [random_proba(rng, len(test)) for test in plan]
    acc = accumulate(loss, y, plan, probas)
    means = [p.mean(axis=0) for p in per_sample(plan, probas)]
    assert_allclose(acc.mean_prediction(), means, rtol=1e-12, atol=1e-15)
    assert_array_equal(acc.n_evaluations, np.full(N_SAMPLES, 5))


# -- clipping -----------------------------------------------------------------------


def test_a_zero_probability_costs_minus_log_eps_not_infinity():
    """As documented: clipped to [eps, 1] and renormalized before the log."""
    y = np.array([0, 1, 0])
    proba = np.array([[0.0, 1.0], [0.0, 1.0], [1e-20, 1.0 - 1e-20]])
    acc = make_accumulator("log_loss", 3, 2, y)
    acc.update(np.arange(3), proba)
    difficulty = acc.scores()["difficulty"]
    assert_allclose(difficulty[0], -np.log(EPS / (1 + EPS)), rtol=1e-12)
    assert_allclose(difficulty[0], -np.log(EPS), rtol=1e-12)
    assert_allclose(difficulty[1], np.log(1 + EPS), atol=1e-15)
    assert difficulty[2] == difficulty[0]  # below eps is eps
    # The held-out probabilities themselves are not clipped.
    assert_array_equal(acc.mean_prediction(), proba)


def test_eps_is_a_parameter_of_the_log_loss():
    acc = make_accumulator("log_loss", 1, 3, np.array([2]), eps=1e-6)
    acc.update([0], [[0.5, 0.5, 0.0]])
    scores = acc.scores()
    assert_allclose(scores["difficulty"], -np.log(1e-6 / (1 + 1e-6)), rtol=1e-12)
    assert_allclose(scores["bias"] + scores["variance"], scores["difficulty"])


# -- label-free scores --------------------------------------------------------------


@pytest.mark.parametrize("loss", CLASSIFICATION_LOSSES)
def test_label_free_scores_are_the_expected_scores_of_a_drawn_label(loss):
    """Drawing y from the mean prediction, the expected labelled scores."""
    rng = np.random.default_rng(7)
    plan = held_out_plan(rng)
    if loss == "zero_one":
        predictions = [rng.integers(N_CLASSES, size=len(test)) for test in plan]
    else:
        predictions = [random_proba(rng, len(test)) for test in plan]
    label_free = accumulate(loss, None, plan, predictions).label_free()
    # The label distribution: the normalized geometric mean of the clipped
    # probabilities for the log loss, their arithmetic mean for the Brier
    # score, the vote shares for the zero-one loss.
    labelled = [
        accumulate(loss, np.full(N_SAMPLES, k), plan, predictions)
        for k in range(N_CLASSES)
    ]
    if loss == "log_loss":
        q = [np.clip(p, EPS, 1) for p in per_sample(plan, predictions)]
        q = [p / p.sum(axis=1, keepdims=True) for p in q]
        weights = np.array([softmax(np.log(p).mean(axis=0)) for p in q])
    else:
        weights = labelled[0].mean_prediction()
    expected = {
        name: sum(weights[:, k] * acc.scores()[name] for k, acc in enumerate(labelled))
        for name in label_free
    }
    assert set(label_free) == (
        {"difficulty"} if loss == "zero_one" else {"difficulty", "bias", "variance"}
    )
    for name, value in label_free.items():
        assert_allclose(value, expected[name], rtol=1e-9, atol=1e-12)
    if "bias" in label_free:
        assert_allclose(
            label_free["bias"] + label_free["variance"],
            label_free["difficulty"],
            rtol=0,
            atol=1e-10,
        )
    # The same with the labels: label_free does not read them.
    with_labels = labelled[0].label_free()
    for name, value in label_free.items():
        assert_array_equal(with_labels[name], value)


def test_label_free_regression_takes_the_expected_bias():
    rng = np.random.default_rng(8)
    plan = held_out_plan(rng)
    predictions = [rng.normal(size=len(test)) for test in plan]
    acc = accumulate("squared_error", None, plan, predictions)
    variance = [f.var() for f in per_sample(plan, predictions)]
    for expected_bias in (0.0, 2.5):
        scores = acc.label_free(expected_bias)
        assert_allclose(scores["bias"], expected_bias)
        assert_allclose(scores["variance"], variance, rtol=1e-9)
        assert_allclose(scores["difficulty"], scores["bias"] + scores["variance"])
    assert_allclose(acc.label_free()["bias"], 0.0)


@pytest.mark.parametrize("loss", LOSSES)
def test_without_labels_there_are_no_labelled_scores(loss):
    acc = make_accumulator(loss, 3, 2)
    prediction = (
        np.array([[0.5, 0.5]] * 3) if loss in ("log_loss", "brier") else np.zeros(3)
    )
    acc.update(np.arange(3), prediction)
    assert_array_equal(acc.n_evaluations, [1, 1, 1])
    with pytest.raises(ValueError, match="Scores need the true targets y"):
        acc.scores()


# -- memory -------------------------------------------------------------------------


@pytest.mark.parametrize("loss", ["log_loss", "brier", "zero_one", "squared_error"])
def test_accumulator_memory_does_not_grow_with_fits(loss):
    n_samples, n_classes = 50, 4
    rng = np.random.RandomState(0)
    y = rng.randint(n_classes, size=n_samples)
    target = y.astype(float) if loss == "squared_error" else y
    acc = make_accumulator(loss, n_samples, n_classes, target)

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
