import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from sklearn.datasets import load_diabetes, load_digits
from sklearn.utils._param_validation import InvalidParameterError

from skdifficulty.datasets import (
    flip_labels,
    load_contaminated_diabetes,
    load_noisy_digits,
    make_difficulty_classification,
    make_imbalance,
)

# ---------------------------------------------------------------- flip_labels


def test_flip_labels_flips_exact_count_per_class():
    y = np.repeat([0, 1, 2], [50, 30, 20])
    y_noisy, flipped = flip_labels(y, rate=0.3, random_state=0)
    assert flipped.sum() == 30
    # Every class loses exactly rate * n_k labels (here all whole numbers).
    assert np.bincount(y[flipped]).tolist() == [15, 9, 6]
    assert np.array_equal(flipped, y_noisy != y)


def test_flip_labels_rounds_total_and_splits_remainder():
    y = np.repeat([0, 1, 2], 7)
    _, flipped = flip_labels(y, rate=0.25, random_state=3)
    # 0.25 * 21 = 5.25 -> 5 flips; each class gets floor or ceil of 1.75.
    assert flipped.sum() == 5
    assert sorted(np.bincount(y[flipped], minlength=3).tolist()) == [1, 2, 2]


def test_flip_labels_pair_maps_to_next_class():
    y = np.repeat([3, 5, 9], 40)
    y_noisy, flipped = flip_labels(y, rate=0.5, kind="pair", random_state=0)
    successor = {3: 5, 5: 9, 9: 3}
    assert all(
        successor[a] == b for a, b in zip(y[flipped], y_noisy[flipped], strict=True)
    )


def test_flip_labels_pair_follows_given_class_order():
    y = np.array(["a", "b", "c"] * 10)
    y_noisy, flipped = flip_labels(
        y, rate=0.5, kind="pair", classes=["c", "b", "a"], random_state=0
    )
    successor = {"c": "b", "b": "a", "a": "c"}
    assert all(
        successor[a] == b for a, b in zip(y[flipped], y_noisy[flipped], strict=True)
    )


def test_flip_labels_symmetric_reaches_all_other_classes():
    y = np.zeros(3000, dtype=int)
    y_noisy, flipped = flip_labels(y, rate=0.9, classes=[0, 1, 2, 3], random_state=0)
    targets = np.bincount(y_noisy[flipped], minlength=4)
    assert targets[0] == 0
    # Uniform over the three other classes: 900 each, give or take.
    assert np.all(np.abs(targets[1:] - 900) < 100)


def test_flip_labels_string_labels_and_longer_class_names():
    y = ["x"] * 20
    y_noisy, flipped = flip_labels(y, rate=0.5, classes=["x", "long"], random_state=0)
    assert set(y_noisy[flipped].tolist()) == {"long"}
    assert flipped.sum() == 10


def test_flip_labels_keeps_series_index():
    y = pd.Series(["a", "b"] * 10, index=np.arange(100, 120), name="label")
    y_noisy, flipped = flip_labels(y, rate=0.2, random_state=0)
    assert isinstance(y_noisy, pd.Series)
    assert y_noisy.index.equals(y.index) and y_noisy.name == "label"
    assert np.array_equal(flipped, (y_noisy != y).to_numpy())


def test_flip_labels_deterministic_and_nested():
    y = np.repeat([0, 1, 2, 3], 25)
    low_y, low = flip_labels(y, rate=0.2, random_state=7)
    again_y, again = flip_labels(y, rate=0.2, random_state=7)
    high_y, high = flip_labels(y, rate=0.4, random_state=7)
    assert np.array_equal(low, again) and np.array_equal(low_y, again_y)
    assert np.all(high[low])
    assert np.array_equal(high_y[low], low_y[low])
    _, other = flip_labels(y, rate=0.2, random_state=8)
    assert not np.array_equal(low, other)


def test_flip_labels_rate_zero_and_no_mutation():
    y = np.array([1, 2, 1, 2])
    y_copy = y.copy()
    y_noisy, flipped = flip_labels(y, rate=0.0)
    assert not flipped.any() and np.array_equal(y_noisy, y)
    assert y_noisy is not y
    flip_labels(y, rate=0.5, random_state=0)
    assert np.array_equal(y, y_copy)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"rate": 1.0}, "'rate' parameter"),
        ({"rate": -0.1}, "'rate' parameter"),
        ({"kind": "asymmetric"}, "'kind' parameter"),
        ({"classes": [0, 1]}, r"not in classes: \[2\]"),
        ({"classes": [0, 0, 1, 2]}, "distinct labels"),
    ],
)
def test_flip_labels_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        flip_labels(np.array([0, 1, 2, 0]), **kwargs)


@pytest.mark.parametrize(
    "y, match",
    [
        (np.zeros(5), "at least two classes"),
        (np.zeros((4, 2)), r"y must be 1-D.*shape \(4, 2\)"),
        (np.linspace(0, 1, 7), "continuous"),
    ],
)
def test_flip_labels_bad_targets(y, match):
    with pytest.raises(ValueError, match=match):
        flip_labels(y, rate=0.2)


# Labels that are not one per sample, in every form a user may hold them.
NOT_1D_LABELS = {
    "list of pairs": ([[0, 1], [1, 0], [0, 1], [1, 0]], r"shape \(4, 2\)\.$"),
    "column": (np.array([[0], [1], [0], [1]]), r"shape \(4, 1\)\. Flatten .*np.ravel"),
    "DataFrame": (pd.DataFrame({"y": [0, 1, 0, 1]}), r"shape \(4, 1\)\. Flatten"),
    "scalar": (np.array(1), r"shape \(\)"),
}


@pytest.mark.parametrize("case", NOT_1D_LABELS)
def test_labels_that_are_not_1d_are_refused_by_every_generator(case):
    y, shape = NOT_1D_LABELS[case]
    match = "y must be 1-D, one label per sample; got an array of " + shape
    with pytest.raises(ValueError, match=match):
        flip_labels(y, rate=0.2)
    # make_imbalance checks y before comparing its length with X's.
    with pytest.raises(ValueError, match=match):
        make_imbalance(np.zeros((4, 2)), y)


# -------------------------------------------------------------- make_imbalance


def test_make_imbalance_geometric_sizes():
    X = np.arange(400).reshape(-1, 1)
    y = np.repeat([0, 1, 2, 3], 100)
    X_sub, y_sub, indices = make_imbalance(X, y, ratio=8.0, random_state=0)
    # 100 * 8 ** (-k / 3) = 100, 50, 25, 12.5 -> 13 (halves round up)
    assert np.bincount(y_sub).tolist() == [100, 50, 25, 13]
    assert np.array_equal(X_sub[:, 0], indices)
    assert np.array_equal(y_sub, y[indices])
    assert np.all(np.diff(indices) > 0)


def test_make_imbalance_first_class_limited_by_rare_class():
    y = np.repeat(["a", "b"], [50, 3])
    X = np.zeros((53, 2))
    _, y_sub, _ = make_imbalance(X, y, ratio=10, random_state=0)
    # "b" has 3 samples, so "a" can keep at most 30.
    assert dict(zip(*np.unique(y_sub, return_counts=True), strict=True)) == {
        "a": 30,
        "b": 3,
    }


def test_make_imbalance_class_order_and_ratio_one():
    y = np.repeat([0, 1, 2], [20, 40, 60])
    X = np.zeros((120, 1))
    _, y_sub, _ = make_imbalance(X, y, ratio=4, classes=[2, 1, 0], random_state=0)
    # Class 2 first (all 60 kept), then 60 / 2 and 60 / 4.
    assert np.bincount(y_sub).tolist() == [15, 30, 60]
    _, y_bal, _ = make_imbalance(X, y, ratio=1, random_state=0)
    assert np.bincount(y_bal).tolist() == [20, 20, 20]


def test_make_imbalance_pandas_and_sparse():
    X = pd.DataFrame({"a": np.arange(30.0)}, index=np.arange(30) * 10)
    y = pd.Series(np.repeat([0, 1], 15), index=X.index)
    X_sub, y_sub, indices = make_imbalance(X, y, ratio=3, random_state=0)
    assert isinstance(X_sub, pd.DataFrame) and isinstance(y_sub, pd.Series)
    assert X_sub.index.equals(X.index[indices]) and y_sub.index.equals(X_sub.index)
    assert y_sub.value_counts().sort_index().tolist() == [15, 5]
    X_sparse = sparse.csr_matrix(np.arange(30.0).reshape(-1, 1))
    X_sub, _, indices = make_imbalance(X_sparse, y.to_numpy(), ratio=3, random_state=0)
    assert sparse.issparse(X_sub)
    assert np.array_equal(X_sub.toarray()[:, 0], indices)


def test_make_imbalance_deterministic_and_no_mutation():
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(60, 3)), np.repeat([0, 1, 2], 20)
    X_copy, y_copy = X.copy(), y.copy()
    first = make_imbalance(X, y, ratio=5, random_state=1)
    second = make_imbalance(X, y, ratio=5, random_state=1)
    assert all(np.array_equal(a, b) for a, b in zip(first, second, strict=True))
    assert np.array_equal(X, X_copy) and np.array_equal(y, y_copy)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"ratio": 0.5}, "'ratio' parameter"),
        ({"ratio": 50}, "leaves class 2 without samples"),
        ({"classes": [0, 1, 2, 3]}, r"classes has labels that y lacks: \[3\]"),
    ],
)
def test_make_imbalance_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_imbalance(np.zeros((30, 1)), np.repeat([0, 1, 2], 10), **kwargs)


def test_make_imbalance_inconsistent_lengths():
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        make_imbalance(np.zeros((5, 1)), [0, 1, 0, 1])


# ----------------------------------------------------------- load_noisy_digits


def test_load_noisy_digits_noise_and_split():
    data = load_noisy_digits(noise=0.3, kind="pair", random_state=0)
    n_train = data.X_train.shape[0]
    assert n_train + data.X_test.shape[0] == 1797
    assert data.flipped.sum() == round(0.3 * n_train)
    assert np.array_equal(data.flipped, data.y_train != data.y_train_clean)
    assert np.array_equal(
        data.y_train[data.flipped], (data.y_train_clean[data.flipped] + 1) % 10
    )
    # Stratified: every digit holds 30% of its samples out, give or take one.
    digit_sizes = np.bincount(load_digits().target)
    assert np.all(np.abs(np.bincount(data.y_test) - 0.3 * digit_sizes) <= 1)
    assert len(data.feature_names) == 64 and "Noisy digits" in data.DESCR


def test_load_noisy_digits_keeps_split_across_noise_levels():
    clean = load_noisy_digits(noise=0.0, random_state=5)
    noisy = load_noisy_digits(noise=0.4, random_state=5)
    assert not clean.flipped.any()
    assert np.array_equal(clean.train_indices, noisy.train_indices)
    assert np.array_equal(clean.X_test, noisy.X_test)


def test_load_noisy_digits_imbalance_on_train_only():
    data = load_noisy_digits(noise=0.2, imbalance=10, random_state=0)
    sizes = np.bincount(data.y_train_clean, minlength=10)
    assert np.all(np.diff(sizes) <= 0)
    assert sizes[0] / sizes[-1] == pytest.approx(10, rel=0.1)
    digit_sizes = np.bincount(load_digits().target)
    assert np.all(np.abs(np.bincount(data.y_test) - 0.3 * digit_sizes) <= 1)
    assert data.flipped.sum() == round(0.2 * sizes.sum())


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"noise": 1.0}, "'noise' parameter"),
        ({"imbalance": 0.5}, "'imbalance' parameter"),
        ({"test_size": 0.0}, "'test_size' parameter"),
        ({"kind": "bad"}, "'kind' parameter"),
    ],
)
def test_load_noisy_digits_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        load_noisy_digits(**kwargs)


# -------------------------------------------------- load_contaminated_diabetes


def test_load_contaminated_diabetes_records_its_contamination():
    data = load_contaminated_diabetes(noise=0.3, kind="one-sided", random_state=1)
    n_train = data.X_train.shape[0]
    assert (n_train, data.X_test.shape[0]) == (331, 111)
    assert data.flipped.sum() == round(0.3 * n_train)
    # Gross errors of 3 to 6 training standard deviations, all upwards; the
    # other training targets and every test target are clean.
    shift = (data.y_train - data.y_train_clean) / data.y_train_clean.std()
    assert np.all((shift[data.flipped] >= 3) & (shift[data.flipped] <= 6))
    assert np.all(shift[~data.flipped] == 0)
    assert f"contaminated training targets: {data.flipped.sum()}" in data.DESCR
    assert data.feature_names == load_diabetes().feature_names


def test_load_contaminated_diabetes_two_sided_moves_both_ways():
    data = load_contaminated_diabetes(noise=0.4, random_state=0)
    shift = (data.y_train - data.y_train_clean)[data.flipped]
    assert np.any(shift > 0) and np.any(shift < 0)
    assert np.all(np.abs(shift) >= 3 * data.y_train_clean.std())
    assert not load_contaminated_diabetes(noise=0.0).flipped.any()


@pytest.mark.parametrize("seed", [0, 7])
def test_load_contaminated_diabetes_deterministic(seed):
    first = load_contaminated_diabetes(noise=0.2, random_state=seed)
    again = load_contaminated_diabetes(noise=0.2, random_state=seed)
    for name in ("X_train", "X_test", "y_train", "y_train_clean", "y_test", "flipped"):
        assert np.array_equal(first[name], again[name])
    other = load_contaminated_diabetes(noise=0.2, random_state=seed + 1)
    assert not np.array_equal(first.X_train, other.X_train)


def test_load_contaminated_diabetes_takes_a_random_state_instance():
    first, again = (
        load_contaminated_diabetes(random_state=np.random.RandomState(3))
        for _ in range(2)
    )
    # The split draws from the instance as from its seed; the contamination
    # from a seed that the instance draws next.
    seeded = load_contaminated_diabetes(random_state=3)
    assert np.array_equal(first.X_train, seeded.X_train)
    assert np.array_equal(first.y_train, again.y_train)
    assert np.array_equal(first.flipped, again.flipped)


def test_load_contaminated_diabetes_leaves_the_diabetes_data_as_it_is():
    diabetes = load_diabetes()
    data = load_contaminated_diabetes(noise=0.3, random_state=0)
    # The clean parts are diabetes's own rows, each with its own target.
    X = np.vstack([data.X_train, data.X_test])
    y = np.concatenate([data.y_train_clean, data.y_test])
    order, reference = np.lexsort(X.T), np.lexsort(diabetes.data.T)
    assert np.array_equal(X[order], diabetes.data[reference])
    assert np.array_equal(y[order], diabetes.target[reference])
    assert np.array_equal(load_diabetes().target, diabetes.target)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"noise": 1.0}, "'noise' parameter"),
        ({"noise": -0.1}, "'noise' parameter"),
        ({"kind": "symmetric"}, "'kind' parameter"),
        ({"random_state": "zero"}, "'random_state' parameter"),
    ],
)
def test_load_contaminated_diabetes_bad_arguments(kwargs, match):
    with pytest.raises(InvalidParameterError, match=match):
        load_contaminated_diabetes(**kwargs)


# ---------------------------------------------- make_difficulty_classification


def test_difficulty_classification_shapes_and_counts():
    data = make_difficulty_classification(
        300, n_classes=3, n_features=5, weights=[3, 2, 1], noise=0.1, random_state=0
    )
    assert data.X.shape == (300, 5)
    assert np.bincount(data.y_clean).tolist() == [150, 100, 50]
    assert data.flipped.sum() == 30
    assert np.array_equal(data.flipped, data.y != data.y_clean)
    assert np.allclose(data.class_proportions, [0.5, 1 / 3, 1 / 6])
    assert np.allclose(data.posterior.sum(axis=1), 1)
    assert data.feature_names[2] == "scale_u"
    assert np.all((data.X[:, 2] >= 0) & (data.X[:, 2] <= 1))


def test_difficulty_classification_deterministic():
    a = make_difficulty_classification(100, noise=0.2, random_state=3)
    b = make_difficulty_classification(100, noise=0.2, random_state=3)
    for key in ("X", "y", "margin", "overlap"):
        assert np.array_equal(a[key], b[key])


def test_difficulty_classification_noise_alone_changes_labels():
    clean = make_difficulty_classification(200, noise=0.0, random_state=1)
    noisy = make_difficulty_classification(200, noise=0.3, random_state=1)
    for key in ("X", "y_clean", "margin", "overlap"):
        assert np.array_equal(clean[key], noisy[key])
    assert not clean.flipped.any() and noisy.flipped.sum() == 60


def test_margin_balanced_binary_is_signed_first_feature():
    data = make_difficulty_classification(200, scale=(0.5, 2.0), random_state=0)
    # Means at -1 and +1: the Bayes boundary is x_0 = 0 whatever u.
    x0 = data.X[:, 0]
    assert np.allclose(data.margin, np.where(data.y_clean == 1, x0, -x0))


def test_overlap_balanced_binary_matches_posterior_formula():
    data = make_difficulty_classification(200, scale=(0.5, 2.0), random_state=0)
    x0, u = data.X[:, 0], data.X[:, 1]
    variance = 0.25 + (4.0 - 0.25) * u
    expected = 1 / (1 + np.exp(2.0 * np.abs(x0) / variance))
    assert np.allclose(data.overlap, expected)


def _segment_distance(points, start, end):
    """Distance from 2-D points to the segment [start, end] (test oracle)."""
    direction = end - start
    t = np.clip((points - start) @ direction / (direction @ direction), 0, 1)
    return np.linalg.norm(points - (start + t[:, None] * direction), axis=1)


def test_margin_imbalanced_heteroscedastic_is_distance_to_tilted_segment():
    data = make_difficulty_classification(
        300, weights=[0.9, 0.1], scale=(0.5, 2.0), class_sep=1.0, random_state=0
    )
    # Boundary: x_0 = v(u) * log(9) / class_sep, v(u) = 0.25 + 3.75 u, for u in
    # [0, 1]; a segment, so far samples are nearest to one of its ends.
    start = np.array([0.25 * np.log(9), 0.0])
    end = np.array([4.0 * np.log(9), 1.0])
    expected = _segment_distance(data.X[:, :2], start, end)
    assert np.allclose(np.abs(data.margin), expected)
    right_side = data.X[:, 0] > 0.25 * np.log(9) + 3.75 * np.log(9) * data.X[:, 1]
    assert np.array_equal(data.margin > 0, right_side == (data.y_clean == 1))


def test_margin_three_classes_is_distance_to_nearest_bisector():
    data = make_difficulty_classification(
        150, n_classes=3, n_features=4, scale=1.0, random_state=0
    )
    means, x = data.means, data.X[:, :2]
    assert np.allclose(np.linalg.norm(means[0] - means[1]), 2.0)
    predicted = data.posterior.argmax(axis=1)
    expected = np.full(150, np.inf)
    for b in range(3):
        normal = means[predicted] - means[b]
        mid = (means[predicted] + means[b]) / 2
        with np.errstate(invalid="ignore", divide="ignore"):
            dist = ((x - mid) * normal).sum(1) / np.linalg.norm(normal, axis=1)
        expected = np.where(predicted == b, expected, np.minimum(expected, dist))
    assert np.allclose(np.abs(data.margin), expected)
    assert np.array_equal(data.margin >= 0, predicted == data.y_clean)


@pytest.mark.parametrize("n_classes", [2, 4])
def test_overlap_bounds(n_classes):
    data = make_difficulty_classification(
        400, n_classes=n_classes, class_sep=0.5, random_state=0
    )
    assert data.overlap.min() >= 0
    assert data.overlap.max() <= 1 - 1 / n_classes
    # Weakly separated classes come close to the maximum somewhere.
    assert data.overlap.max() > 0.9 * (1 - 1 / n_classes)


def test_overlap_grows_with_scale_at_equal_margin():
    data = make_difficulty_classification(2000, scale=(0.3, 2.0), random_state=0)
    u = data.X[:, 1]
    band = (np.abs(data.margin) > 0.4) & (np.abs(data.margin) < 0.6)
    low, high = data.overlap[band & (u < 0.3)], data.overlap[band & (u > 0.7)]
    assert low.size > 10 and high.size > 10
    assert high.min() > low.max()


def test_overlap_falls_with_margin_at_constant_scale():
    data = make_difficulty_classification(500, scale=1.0, random_state=0)
    order = np.argsort(np.abs(data.margin))
    assert np.all(np.diff(data.overlap[order]) <= 1e-12)


def test_difficulty_classification_pair_noise():
    data = make_difficulty_classification(
        90, n_classes=3, noise=0.2, noise_kind="pair", random_state=0
    )
    flipped = data.flipped
    assert np.array_equal(data.y[flipped], (data.y_clean[flipped] + 1) % 3)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_classes": 1}, "'n_classes' parameter"),
        ({"n_classes": 3, "n_features": 2}, "n_features=2 is too small"),
        ({"class_sep": 0}, "'class_sep' parameter"),
        ({"scale": (1.0, -1.0)}, "scale must be a positive number or a pair"),
        ({"scale": (1.0, 2.0, 3.0)}, "scale must be a positive number or a pair"),
        ({"weights": [1, 2, 3]}, r"one entry per class \(2\)"),
        ({"weights": [1, 0]}, "finite and positive"),
        ({"weights": [1000, 1]}, "leave a class without samples"),
        ({"noise": 1.5}, "'noise' parameter"),
        ({"noise_kind": "other"}, "'noise_kind' parameter"),
    ],
)
def test_difficulty_classification_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_difficulty_classification(100, **kwargs)
