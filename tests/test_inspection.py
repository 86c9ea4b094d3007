"""Tests of difficulty_table: suggested labels, and which rows are flagged."""

import numpy as np
import pytest
from _columns import TABLE_COLUMNS
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import load_diabetes, load_wine
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from skdifficulty import DifficultyEstimator, difficulty_table
from skdifficulty._inspection import inspect, robust_deviation
from skdifficulty.datasets import flip_labels
from skdifficulty.utils._confident import confident_joint, estimate_noise_share

NOISE = 0.1


@pytest.fixture(scope="module")
def noisy_wine():
    """Wine with 10% of the labels flipped, and its difficulty (5 x 1 fits)."""
    X, y = load_wine(return_X_y=True)
    y_noisy, flipped = flip_labels(y, rate=NOISE, random_state=0)
    estimator = DifficultyEstimator(n_repeats=1, random_state=0).fit(X, y_noisy)
    return estimator, y, y_noisy, flipped


def precision_recall(flagged, truth):
    hits = np.sum(flagged & truth)
    return hits / max(flagged.sum(), 1), hits / truth.sum()


def test_flags_find_flipped_labels_far_better_than_chance(noisy_wine):
    estimator, y, y_noisy, flipped = noisy_wine
    table = difficulty_table(estimator, y_noisy, as_frame=False)
    flagged = table["flagged"]
    precision, recall = precision_recall(flagged, flipped)
    # A random flag of the same size: precision is the noise share, recall
    # the share flagged.
    chance_precision, chance_recall = flipped.mean(), flagged.mean()
    assert precision >= 0.8 and recall >= 0.8, (precision, recall)
    assert precision - chance_precision > 0.6
    assert recall - chance_recall > 0.6
    # The suggested label is the true one for most flipped rows.
    suggested = table["suggested_label"][flipped]
    assert np.mean(suggested == y[flipped]) >= 0.8


def test_flag_count_is_the_estimated_noise_share(noisy_wine):
    estimator, _, y_noisy, flipped = noisy_wine
    share, _ = estimate_noise_share(estimator.heldout_proba_, y_noisy)
    assert abs(share - flipped.mean()) < 0.05
    table = difficulty_table(estimator, y_noisy, as_frame=False)
    assert table["flagged"].sum() == round(share * y_noisy.shape[0])
    # The flagged rows are the hardest ones.
    assert table["difficulty_rank"][table["flagged"]].max() == table["flagged"].sum()


def test_the_columns_are_those_documented():
    # Spelled out here only: the other tests take them from TABLE_COLUMNS.
    assert TABLE_COLUMNS == {
        "classification": [
            "difficulty_rank",
            "flagged",
            "given_label",
            "suggested_label",
            "suggested_proba",
            "given_proba",
            "difficulty",
            "bias",
            "variance",
            "n_evaluations",
        ],
        "regression": [
            "difficulty_rank",
            "flagged",
            "given_value",
            "predicted_value",
            "residual",
            "difficulty",
            "bias",
            "variance",
            "n_evaluations",
        ],
    }


def test_columns_and_values(noisy_wine):
    pd = pytest.importorskip("pandas")
    estimator, _, y_noisy, _ = noisy_wine
    table = difficulty_table(estimator, y_noisy)
    assert isinstance(table, pd.DataFrame)
    assert list(table.columns) == TABLE_COLUMNS["classification"]
    rows = np.arange(y_noisy.shape[0])
    proba = estimator.heldout_proba_
    assert_array_equal(table["given_label"], y_noisy)
    assert_array_equal(table["suggested_label"], proba.argmax(axis=1))
    assert_allclose(table["given_proba"], proba[rows, y_noisy])
    assert_allclose(table["suggested_proba"], proba.max(axis=1))
    assert_allclose(table["difficulty"], estimator.difficulty_)
    order = np.argsort(table["difficulty_rank"].to_numpy())
    assert np.all(np.diff(estimator.difficulty_[order]) <= 0)
    assert sorted(table["difficulty_rank"]) == list(range(1, rows.shape[0] + 1))


def test_string_labels_and_a_series_index():
    pd = pytest.importorskip("pandas")
    X, y = load_wine(return_X_y=True)
    names = np.array(["barolo", "grignolino", "barbera"])[y]
    labels = pd.Series(names, index=np.arange(100, 100 + y.shape[0]))
    estimator = DifficultyEstimator(cv=3, n_repeats=1, random_state=0).fit(X, labels)
    table = difficulty_table(estimator, labels)
    assert list(table.index) == list(labels.index)
    assert set(table["suggested_label"]) <= set(names)
    assert (table["given_label"] == labels).all()


def test_flag_share_overrides_the_rule(noisy_wine):
    estimator, _, y_noisy, _ = noisy_wine
    n = y_noisy.shape[0]
    for share, expected in ((0.0, 0), (0.25, round(0.25 * n)), (1.0, n)):
        table = difficulty_table(estimator, y_noisy, flag_share=share, as_frame=False)
        assert table["flagged"].sum() == expected
        assert np.all(table["difficulty_rank"][table["flagged"]] <= expected)


@pytest.mark.parametrize("share", [-0.1, 1.5, "0.1"])
def test_flag_share_out_of_range(noisy_wine, share):
    estimator, _, y_noisy, _ = noisy_wine
    with pytest.raises(
        InvalidParameterError, match="'flag_share' parameter of difficulty_table"
    ):
        difficulty_table(estimator, y_noisy, flag_share=share)


def test_wrong_labels_are_refused(noisy_wine):
    estimator, _, y_noisy, _ = noisy_wine
    with pytest.raises(ValueError, match="y has 10 labels but the estimator scored"):
        difficulty_table(estimator, y_noisy[:10])
    with pytest.raises(ValueError, match=r"labels that the estimator was not fitted"):
        difficulty_table(estimator, np.where(y_noisy == 2, 7, y_noisy))
    with pytest.raises(
        InvalidParameterError, match="'as_frame' parameter of difficulty_table"
    ):
        difficulty_table(estimator, y_noisy, as_frame="yes")


def test_unfitted_estimator_is_refused():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        difficulty_table(DifficultyEstimator(), [0, 1])


def test_zero_one_loss_has_no_bias_or_variance_columns():
    X, y = load_wine(return_X_y=True)
    estimator = DifficultyEstimator(
        make_pipeline(StandardScaler(), LogisticRegression()),
        loss="zero_one",
        cv=3,
        n_repeats=1,
    ).fit(X, y)
    table = difficulty_table(estimator, y, as_frame=False)
    assert "bias" not in table and "variance" not in table
    assert_allclose(table["given_proba"], 1 - estimator.difficulty_)


def test_confident_joint_by_hand():
    rng = np.random.default_rng(0)
    proba = rng.dirichlet(np.ones(3), size=40)
    codes = rng.integers(0, 3, size=40)
    joint, cell = confident_joint(proba, codes)
    thresholds = [proba[codes == j, j].mean() for j in range(3)]
    expected = np.zeros((3, 3), dtype=int)
    for p, i, c in zip(proba, codes, cell, strict=True):
        above = [j for j in range(3) if p[j] >= thresholds[j]]
        if not above:
            assert c == -1
            continue
        j = max(above, key=lambda k: p[k])
        assert c == j
        expected[i, j] += 1
    assert_array_equal(joint, expected)
    share, per_class = estimate_noise_share(proba, codes)
    counts = np.bincount(codes, minlength=3)
    calibrated = joint / joint.sum(axis=1, keepdims=True) * counts[:, None]
    assert_allclose(per_class, calibrated.sum(axis=1) - np.diag(calibrated))
    assert_allclose(share, per_class.sum() / 40)


def test_clean_separable_labels_flag_nothing():
    proba = np.array([[0.95, 0.05]] * 5 + [[0.1, 0.9]] * 5)
    share, _ = estimate_noise_share(proba, np.repeat([0, 1], 5))
    assert share == 0


# -- regression ------------------------------------------------------------------


@pytest.fixture(scope="module")
def contaminated_diabetes():
    X, y = load_diabetes(return_X_y=True)
    rng = np.random.default_rng(0)
    bad = np.zeros(y.shape[0], dtype=bool)
    bad[rng.choice(y.shape[0], size=30, replace=False)] = True
    y_bad = y + bad * rng.choice([-1, 1], size=y.shape[0]) * 5 * y.std()
    estimator = DifficultyEstimator(
        make_pipeline(StandardScaler(), Ridge()), n_repeats=1, random_state=0
    ).fit(X, y_bad)
    return estimator, y_bad, bad


def test_regression_columns_and_outliers(contaminated_diabetes):
    pd = pytest.importorskip("pandas")
    estimator, y, bad = contaminated_diabetes
    table = difficulty_table(estimator, y)
    assert list(table.columns) == TABLE_COLUMNS["regression"]
    assert isinstance(table, pd.DataFrame)
    assert_allclose(table["given_value"], y)
    assert_allclose(table["predicted_value"], estimator.heldout_prediction_)
    assert_allclose(table["residual"], y - estimator.heldout_prediction_)
    precision, recall = precision_recall(table["flagged"].to_numpy(), bad)
    assert precision >= 0.9 and recall >= 0.9, (precision, recall)


def test_regression_rule_and_flag_share(contaminated_diabetes):
    estimator, y, _ = contaminated_diabetes
    residual = y - estimator.heldout_prediction_
    flagged = difficulty_table(estimator, y, as_frame=False)["flagged"]
    # The rule's fixed point: flagged are the residuals more than 3.5 robust
    # standard deviations from the median, both of the rows not flagged.
    kept = residual[~flagged]
    center = np.median(kept)
    scale = 1.4826 * np.median(np.abs(kept - center))
    assert_array_equal(flagged, np.abs(residual - center) > 3.5 * scale)
    shared = difficulty_table(estimator, y, flag_share=0.1, as_frame=False)
    assert shared["flagged"].sum() == round(0.1 * y.shape[0])
    z = np.abs(residual - center) / scale
    assert z[shared["flagged"]].min() >= z[~shared["flagged"]].max()
    assert inspect(estimator, y).noise_share is None


def test_iterated_scale_finds_the_smaller_gross_errors():
    """30% gross errors inflate one MAD by half; the rounds take them out."""
    rng = np.random.default_rng(0)
    residual = rng.normal(size=1000)
    bad = np.arange(1000) < 300
    residual[bad] = rng.choice([-1, 1], size=300) * rng.uniform(4, 8, size=300)
    once = np.abs(residual - np.median(residual))
    single = once / (1.4826 * np.median(once)) > 3.5
    iterated = robust_deviation(residual) > 3.5
    assert single[bad].mean() < 0.8
    assert iterated[bad].mean() > 0.95
    assert iterated[~bad].mean() < 0.01


def test_robust_deviation_without_spread():
    deviation = robust_deviation(np.array([1.0, 1, 1, 1, 5]))
    # sqrt(pi / 2) times the mean absolute deviation stands in for the MAD of 0.
    assert_allclose(deviation, [0, 0, 0, 0, 4 / (np.sqrt(np.pi / 2) * 0.8)])
    assert_array_equal(robust_deviation(np.zeros(4)), 0)


def test_without_pandas(noisy_wine, monkeypatch):
    import sys

    estimator, _, y_noisy, _ = noisy_wine
    monkeypatch.setitem(sys.modules, "pandas", None)
    assert isinstance(difficulty_table(estimator, y_noisy, as_frame=False), dict)
    with pytest.raises(ImportError, match="as_frame=False for a dict of arrays"):
        difficulty_table(estimator, y_noisy)
