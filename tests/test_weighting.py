"""Tests of the weighting schemes and their normalization."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from skdifficulty.weighting._cutoffs import CUTOFF_MODES, CUTOFFS, difficulty_cutoff
from skdifficulty.weighting._modes import (
    LABEL_MODES,
    RANK_MODES,
    SCALES,
    easy_first,
    hard_first,
    medium_first,
    two_ends,
)
from skdifficulty.weighting._weights import WEIGHTING_MODES, difficulty_weights

SCHEMES = {
    "easy_first": easy_first,
    "hard_first": hard_first,
    "medium_first": medium_first,
    "two_ends": two_ends,
}


@pytest.fixture
def difficulty():
    # Log-loss-like: mostly small, a heavy tail, two ties.
    rng = np.random.default_rng(0)
    d = rng.exponential(scale=0.5, size=41)
    d[[3, 7]] = d[5]
    return d


@pytest.fixture
def sorted_difficulty():
    return np.sort(np.random.default_rng(1).exponential(size=51))


# The modes that need no labels or held-out probabilities ("consensus" has
# tests of its own below).
LABEL_FREE_MODES = [mode for mode in WEIGHTING_MODES if mode not in LABEL_MODES]


def test_mode_names():
    assert RANK_MODES == tuple(SCHEMES)
    assert CUTOFF_MODES == ("huber", "tukey", "trim")
    assert LABEL_MODES == ("consensus",)
    assert WEIGHTING_MODES == (*RANK_MODES, *CUTOFF_MODES, *LABEL_MODES, "none")
    assert SCALES == ("rank", "standard", "none")
    assert CUTOFFS == ("auto", "mad", "mixture", "noise")


# --- exact values on a hand-computable input --------------------------------
# difficulty [0.1, 0.5, 2.0, 0.3] has ranks 1, 3, 4, 2, so the share of
# easier samples q = (rank - 1/2) / 4 = [1/8, 5/8, 7/8, 3/8].
TINY = [0.1, 0.5, 2.0, 0.3]
Q = np.array([1, 5, 7, 3]) / 8


@pytest.mark.parametrize(
    "scheme, expected",
    [
        (easy_first, (1 - Q) ** 2),
        (hard_first, Q**2),
        (medium_first, np.array([1, 3, 1, 3]) ** 2 / 16),
        (two_ends, np.array([7, 5, 7, 5]) ** 2 / 64),
    ],
)
def test_exact_values_rank(scheme, expected):
    assert_allclose(scheme(TINY, strength=2.0), expected, rtol=1e-12)


def test_exact_values_dispatcher_mean_and_class():
    # easy_first, s=1: base (1 - q) = [7, 3, 1, 5] / 8.
    assert_allclose(difficulty_weights(TINY), [1.75, 0.75, 0.25, 1.25])
    # Per class {0: [7, 3], 1: [1, 5]}, each class total 4 / 2 = 2.
    w = difficulty_weights(TINY, [0, 0, 1, 1], normalize="class")
    assert_allclose(w, [1.4, 0.6, 1 / 3, 5 / 3])
    assert_allclose(
        difficulty_weights(TINY, normalize=None), np.array([7, 3, 1, 5]) / 8
    )


def test_exact_values_standard_scale():
    from scipy.stats import norm

    d = np.array([0.0, 1.0, 2.0, 3.0, 10.0])
    # median 2, IQR 3 - 1 = 2, sigma = 2 / 1.3489795
    z = (d - 2.0) / (2.0 / 1.3489795003921634)
    assert_allclose(easy_first(d, scale="standard"), norm.sf(z), rtol=1e-12)
    assert_allclose(hard_first(d, strength=3, scale="standard"), norm.cdf(z) ** 3)


def test_exact_values_none_scale():
    d = np.array([0.0, 0.25, 0.5, 1.0])
    assert_allclose(easy_first(d, strength=2, scale="none"), [1, 0.5625, 0.25, 0])
    assert_allclose(medium_first(d, scale="none"), [0, 0.5, 1, 0])
    assert_allclose(two_ends(d, scale="none"), [1, 0.75, 0.5, 1])


def test_ties_share_the_average_rank():
    w = easy_first([0.0, 0.0, 1.0, 1.0])
    # Mid-ranks 1.5 and 3.5 give q = 1/4 and 3/4.
    assert_allclose(w, [0.75, 0.75, 0.25, 0.25])


# --- strength ----------------------------------------------------------------
@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("mode", WEIGHTING_MODES)
def test_strength_zero_is_exactly_uniform(mode, scale):
    d = np.array([0.0, 0.2, 0.2, 0.7, 1.0])  # shares of 0 and 1 under "none"
    labels = {}
    if mode in LABEL_MODES:  # one held-out probability of 0 for a label
        proba = np.array([[1, 0], [0.5, 0.5], [0.2, 0.8], [0.9, 0.1], [0.3, 0.7]])
        labels = {"y": [1, 0, 0, 1, 1], "heldout_proba": proba}
    assert_array_equal(
        difficulty_weights(d, weighting=mode, strength=0, scale=scale, **labels), 1
    )
    if mode in SCHEMES:
        assert_array_equal(SCHEMES[mode](d, strength=0, scale=scale), 1)


def test_strength_zero_is_uniform_for_callable():
    w = difficulty_weights([1.0, 2.0, 3.0], weighting=lambda d, y: d, strength=0)
    assert_array_equal(w, 1)


def test_strength_is_an_exponent(difficulty):
    for scheme in SCHEMES.values():
        assert_allclose(scheme(difficulty, strength=3), scheme(difficulty) ** 3)


def test_strength_meaning_median_weighs_two_to_minus_s():
    d = np.arange(5.0)  # the median sample has q = 1/2
    s = 3.0
    assert easy_first(d, strength=s)[2] == pytest.approx(2**-s)
    assert hard_first(d, strength=s)[2] == pytest.approx(2**-s)
    assert two_ends(d, strength=s)[2] == pytest.approx(2**-s)
    assert medium_first(d, strength=s)[2] == pytest.approx(1.0)


def test_none_mode_is_uniform(difficulty):
    assert_array_equal(difficulty_weights(difficulty, weighting="none"), 1)


# --- shapes of the modes -----------------------------------------------------
@pytest.mark.parametrize("scale", ["rank", "standard"])
def test_easy_and_hard_first_are_monotone(sorted_difficulty, scale):
    easy = easy_first(sorted_difficulty, strength=2, scale=scale)
    hard = hard_first(sorted_difficulty, strength=2, scale=scale)
    assert np.all(np.diff(easy) < 0)
    assert np.all(np.diff(hard) > 0)
    assert np.all(easy > 0) and np.all(hard > 0)


@pytest.mark.parametrize("scale", ["rank", "standard"])
def test_medium_first_is_unimodal_at_the_median(sorted_difficulty, scale):
    w = medium_first(sorted_difficulty, strength=2, scale=scale)
    peak = int(np.argmax(w))
    if scale == "rank":
        assert peak == len(w) // 2  # the median of 51 sorted samples
        assert w[peak] == pytest.approx(1.0)
    else:
        assert abs(peak - len(w) // 2) <= 1
    assert np.all(np.diff(w[: peak + 1]) > 0)
    assert np.all(np.diff(w[peak:]) < 0)


@pytest.mark.parametrize("scale", ["rank", "standard"])
def test_two_ends_is_u_shaped(sorted_difficulty, scale):
    w = two_ends(sorted_difficulty, strength=2, scale=scale)
    low = int(np.argmin(w))
    assert abs(low - len(w) // 2) <= 1
    assert np.all(np.diff(w[: low + 1]) <= 0)
    assert np.all(np.diff(w[low:]) >= 0)
    assert w[0] > 2 * w[low] and w[-1] > 2 * w[low]


def test_hard_first_mirrors_easy_first(difficulty):
    assert_allclose(hard_first(difficulty), easy_first(-difficulty))


# --- scale-freeness ----------------------------------------------------------
@pytest.mark.parametrize("mode", [*RANK_MODES, "none"])
def test_rank_scale_ignores_monotone_transforms(difficulty, mode):
    w = difficulty_weights(difficulty, weighting=mode, strength=2)
    for transform in (lambda d: 1000 * d, np.log1p, lambda d: np.exp(3 * d) - 7):
        w_t = difficulty_weights(transform(difficulty), weighting=mode, strength=2)
        assert_allclose(w_t, w, rtol=1e-12)


@pytest.mark.parametrize("mode", RANK_MODES)
def test_standard_scale_ignores_affine_maps(difficulty, mode):
    w = difficulty_weights(difficulty, weighting=mode, scale="standard")
    w_t = difficulty_weights(5 * difficulty + 2, weighting=mode, scale="standard")
    assert_allclose(w_t, w, rtol=1e-10)


def test_standard_scale_keeps_gaps():
    # The outlier is only one rank above the next sample, but far above it.
    d = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 5.0])
    rank, std = easy_first(d, strength=2), easy_first(d, strength=2, scale="standard")
    assert rank[-1] / rank[-2] > 0.1
    assert 0 < std[-1] / std[-2] < 1e-100


def test_standard_scale_with_tied_majority():
    d = np.array([0.0] * 6 + [1.0, 2.0])  # IQR is 0: falls back to the std
    w = easy_first(d, scale="standard")
    assert np.all(np.isfinite(w)) and np.all(w > 0)
    assert w[0] > w[6] > w[7]
    assert_array_equal(easy_first(np.ones(4), strength=5, scale="standard"), 0.5**5)


def test_tiny_weights_do_not_underflow_after_normalization():
    # Raw weights 0.01**200 and 0.001**200 are both below the float range.
    d = np.array([0.99, 0.999])
    assert_array_equal(easy_first(d, strength=200, scale="none"), 0)
    w = difficulty_weights(d, strength=200, scale="none")
    assert_allclose(w, [2, 2e-200], rtol=1e-9)


# --- normalization and sample_weight ----------------------------------------
@pytest.mark.parametrize("mode", LABEL_FREE_MODES)
def test_mean_normalization(difficulty, mode):
    w = difficulty_weights(difficulty, weighting=mode, strength=4)
    assert w.mean() == pytest.approx(1.0)
    assert np.all(w > 0)


@pytest.mark.parametrize("mode", LABEL_FREE_MODES)
def test_class_normalization_balances_classes(difficulty, mode):
    y = np.array(["a"] * 30 + ["b"] * 8 + ["c"] * 3)
    w = difficulty_weights(difficulty, y, weighting=mode, normalize="class")
    totals = [w[y == c].sum() for c in "abc"]
    assert_allclose(totals, len(y) / 3)
    # Within a class the scheme's ratios are kept (the cut-off modes estimate
    # their cut-off per class from y).
    base = difficulty_weights(difficulty, y, weighting=mode, normalize=None)
    for c in "abc":
        assert_allclose(w[y == c] / base[y == c], (w[y == c] / base[y == c])[0])


def test_class_normalization_of_none_is_balanced_class_weight(difficulty):
    from sklearn.utils.class_weight import compute_sample_weight

    y = np.repeat([0, 1, 2], [30, 8, 3])
    w = difficulty_weights(difficulty, y, weighting="none", normalize="class")
    assert_allclose(w, compute_sample_weight("balanced", y))


def test_sample_weight_multiplies_before_normalization(difficulty):
    sw = np.random.default_rng(2).uniform(0, 3, size=difficulty.shape[0])
    base = difficulty_weights(difficulty, normalize=None)
    assert_allclose(
        difficulty_weights(difficulty, sample_weight=sw, normalize=None), base * sw
    )
    w = difficulty_weights(difficulty, sample_weight=sw)
    assert_allclose(w, base * sw / np.mean(base * sw))
    y = np.repeat([0, 1], [20, 21])
    w = difficulty_weights(difficulty, y, sample_weight=sw, normalize="class")
    for c in (0, 1):
        m = y == c
        assert_allclose(w[m], base[m] * sw[m] / np.sum(base[m] * sw[m]) * 41 / 2)


def test_sample_weight_zeros_stay_zero(difficulty):
    sw = np.ones_like(difficulty)
    sw[:5] = 0
    w = difficulty_weights(difficulty, sample_weight=sw)
    assert_array_equal(w[:5], 0)
    assert w.mean() == pytest.approx(1.0)


# --- inputs are not mutated --------------------------------------------------
def test_inputs_are_not_mutated(difficulty):
    d = difficulty.copy()
    y = np.repeat([0, 1], [20, 21])
    sw = np.linspace(0.5, 2, 41)
    y0, sw0 = y.copy(), sw.copy()

    def in_place(dd, yy):
        dd *= 0  # a careless callable must not reach the caller's arrays
        yy[:] = 0
        return np.ones_like(dd)

    for weighting in (*LABEL_FREE_MODES, in_place):
        difficulty_weights(
            difficulty, y, weighting=weighting, normalize="class", sample_weight=sw
        )
    assert_array_equal(difficulty, d)
    assert_array_equal(y, y0)
    assert_array_equal(sw, sw0)


def test_output_is_a_new_array(difficulty):
    d = np.linspace(0, 1, 5)
    for mode in LABEL_FREE_MODES:
        w = difficulty_weights(d, weighting=mode, normalize=None)
        assert not np.shares_memory(w, d)


# --- callables ---------------------------------------------------------------
def test_callable_receives_raw_difficulty_and_y():
    seen = {}

    def weighting(d, y):
        seen["d"], seen["y"] = d, y
        return 1 / (1 + d)

    w = difficulty_weights([0.0, 1.0, 3.0], [0, 1, 1], weighting=weighting, strength=2)
    assert_array_equal(seen["d"], [0.0, 1.0, 3.0])
    assert_array_equal(seen["y"], [0, 1, 1])
    expected = np.array([1, 0.5, 0.25]) ** 2
    assert_allclose(w, expected / expected.mean())


@pytest.mark.parametrize(
    "output, match",
    [
        (np.ones((3, 1)), r"1-D array .* shape \(3,\); got shape \(3, 1\)"),
        (np.ones(2), r"shape \(3,\); got shape \(2,\)"),
        (np.array([1.0, np.nan, 1.0]), "NaN or infinite"),
        (np.array([1.0, np.inf, 1.0]), "NaN or infinite"),
        (np.array([1.0, -1.0, 1.0]), "negative"),
        (np.zeros(3), "only zero"),
        (np.array(["a", "b", "c"]), "real numbers"),
        (None, "1-D array"),
    ],
)
def test_callable_output_is_validated(output, match):
    def weighting(d, y):
        return output

    with pytest.raises(ValueError, match=match):
        difficulty_weights([0.1, 0.2, 0.3], weighting=weighting)


# --- bad input ---------------------------------------------------------------
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_difficulty_is_refused(bad):
    with pytest.raises(ValueError, match="difficulty contains (NaN|infinity)"):
        difficulty_weights([0.1, bad, 0.3])
    with pytest.raises(ValueError, match="difficulty contains (NaN|infinity)"):
        easy_first([0.1, bad, 0.3])


def test_2d_difficulty_is_refused():
    with pytest.raises(ValueError, match=r"1-D .* shape \(2, 2\)"):
        difficulty_weights([[0.1, 0.2], [0.3, 0.4]])


def test_none_scale_needs_shares():
    with pytest.raises(ValueError, match=r"scale='none' .* \[0, 1\]; got values in"):
        easy_first([0.2, 1.5], scale="none")
    with pytest.raises(ValueError, match=r"scale='none' .* \[0, 1\]"):
        difficulty_weights([-0.2, 0.5], strength=0, scale="none")


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"strength": -1}, "'strength' parameter"),
        ({"strength": np.nan}, "'strength' parameter"),
        ({"strength": np.inf}, "'strength' parameter"),
        ({"weighting": "easy"}, "'weighting' parameter"),
        ({"normalize": "sum"}, "'normalize' parameter"),
        ({"scale": "minmax"}, "'scale' parameter"),
    ],
)
def test_bad_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        difficulty_weights([0.1, 0.2, 0.3], **kwargs)


def test_bad_scheme_parameters():
    with pytest.raises(ValueError, match="'strength' parameter of easy_first"):
        easy_first([0.1, 0.2], strength=-0.5)


def test_class_normalization_needs_y():
    with pytest.raises(ValueError, match="normalize='class' needs the class labels"):
        difficulty_weights([0.1, 0.2, 0.3], normalize="class")
    with pytest.raises(ValueError, match="Unknown label type"):
        difficulty_weights([0.1, 0.2, 0.3], [0.5, 1.5, 2.5], normalize="class")


def test_y_length_must_match():
    with pytest.raises(ValueError, match="y has 2 samples but difficulty has 3"):
        difficulty_weights([0.1, 0.2, 0.3], [0, 1])


@pytest.mark.parametrize(
    "sw, match",
    [
        ([1.0, -1.0, 1.0], "Negative values in data passed to `sample_weight`"),
        ([1.0, np.nan, 1.0], "sample_weight contains NaN"),
        ([1.0, 1.0], r"sample_weight.shape == \(2,\), expected \(3,\)"),
        ([0.0, 0.0, 0.0], "at least one non-zero"),
    ],
)
def test_bad_sample_weight(sw, match):
    with pytest.raises(ValueError, match=match):
        difficulty_weights([0.1, 0.2, 0.3], sample_weight=sw)


def test_zero_total_class_is_refused():
    with pytest.raises(ValueError, match=r"Classes \[1\] have zero total weight"):
        difficulty_weights(
            [0.1, 0.2, 0.3], [0, 0, 1], normalize="class", sample_weight=[1, 1, 0]
        )


def test_all_zero_weights_are_refused():
    # Under scale="none" a difficulty of 1 has no harder samples: weight 0.
    with pytest.raises(ValueError, match="Every weight is zero"):
        difficulty_weights([1.0, 1.0], scale="none")
    with pytest.raises(ValueError, match="that sample_weight keeps"):
        difficulty_weights([0.5, 1.0], scale="none", sample_weight=[0, 1])


# --- weights near the ends of the float range --------------------------------
# Positive factors in [0.1, 1.99]: times 2 ** 1023 they reach 1.79e308, just
# below the largest float; times 2 ** -1023 they are about 1e-308. A power of 2
# scales them exactly, so the unscaled factors give the expected weights.
UNIT = np.random.default_rng(3).uniform(0.1, 1.99, size=41)
Y3 = np.repeat([0, 1, 2], [20, 13, 8])
NORMALIZE = ["mean", "class"]


def assert_normalized(w, y, normalize):
    assert np.all(np.isfinite(w)) and np.all(w >= 0)
    if normalize == "mean":
        assert w.mean() == pytest.approx(1.0, rel=1e-12)
    else:
        classes = np.unique(y)
        totals = [w[y == c].sum() for c in classes]
        assert_allclose(totals, len(y) / len(classes), rtol=1e-12)


@pytest.mark.filterwarnings("error::RuntimeWarning")
@pytest.mark.parametrize("exponent", [1023, -1023], ids=["near_max", "near_min"])
@pytest.mark.parametrize("normalize", NORMALIZE)
@pytest.mark.parametrize("mode", LABEL_FREE_MODES)
def test_extreme_sample_weight_keeps_the_ratios(difficulty, mode, normalize, exponent):
    params = {"weighting": mode, "strength": 2, "normalize": normalize}
    w = difficulty_weights(
        difficulty, Y3, sample_weight=np.ldexp(UNIT, exponent), **params
    )
    assert_normalized(w, Y3, normalize)
    expected = difficulty_weights(difficulty, Y3, sample_weight=UNIT, **params)
    assert_allclose(w, expected, rtol=1e-12)


@pytest.mark.filterwarnings("error::RuntimeWarning")
@pytest.mark.parametrize("strength", [2.0, 3.5])
@pytest.mark.parametrize("scale", [1e200, 1e-200])
@pytest.mark.parametrize("normalize", NORMALIZE)
def test_callable_with_extreme_weights_and_strength(
    difficulty, normalize, scale, strength
):
    # (1e200 * x) ** 2 = 1e400 * x ** 2 is beyond the float range, but the
    # normalized weights are those of x ** 2.
    w = difficulty_weights(
        difficulty,
        Y3,
        weighting=lambda d, y: scale * (1 + d),
        strength=strength,
        normalize=normalize,
    )
    assert_normalized(w, Y3, normalize)
    expected = difficulty_weights(
        difficulty,
        Y3,
        weighting=lambda d, y: 1 + d,
        strength=strength,
        normalize=normalize,
    )
    assert_allclose(w, expected, rtol=1e-12)
    # The ratio of two samples of one class is the ratio of (1 + d) ** strength.
    assert w[1] / w[0] == pytest.approx(
        ((1 + difficulty[1]) / (1 + difficulty[0])) ** strength, rel=1e-12
    )


@pytest.mark.filterwarnings("error::RuntimeWarning")
@pytest.mark.parametrize("normalize", NORMALIZE)
def test_tiny_callable_weights_times_huge_sample_weight(difficulty, normalize):
    # (1e-250) ** 1.5 is below the float range, its product with 1e308 is not.
    w = difficulty_weights(
        difficulty,
        Y3,
        weighting=lambda d, y: 1e-250 * (1 + d),
        strength=1.5,
        normalize=normalize,
        sample_weight=np.ldexp(UNIT, 1023),
    )
    assert_normalized(w, Y3, normalize)
    expected = difficulty_weights(
        difficulty,
        Y3,
        weighting=lambda d, y: 1 + d,
        strength=1.5,
        normalize=normalize,
        sample_weight=UNIT,
    )
    assert_allclose(w, expected, rtol=1e-12)


@pytest.mark.filterwarnings("error::RuntimeWarning")
@pytest.mark.parametrize("normalize", NORMALIZE)
@pytest.mark.parametrize("mode", LABEL_FREE_MODES)
def test_weights_below_the_float_range_of_the_largest_become_zero(
    difficulty, mode, normalize
):
    # Odd samples weigh 2 ** -2044 times as much as even ones: after the
    # normalization they are 0, and the even samples keep their ratios.
    even = np.arange(41) % 2 == 0
    sw = np.where(even, np.ldexp(UNIT, 1022), np.ldexp(UNIT, -1022))
    w = difficulty_weights(
        difficulty, Y3, weighting=mode, normalize=normalize, sample_weight=sw
    )
    assert_normalized(w, Y3, normalize)
    assert_array_equal(w[~even], 0)
    expected = difficulty_weights(
        difficulty,
        Y3,
        weighting=mode,
        normalize=normalize,
        sample_weight=np.where(even, UNIT, 0),
    )
    assert_allclose(w, expected, rtol=1e-12)


@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_normalize_none_keeps_products_that_fit():
    d = [0.1, 0.5, 2.0, 0.3]
    sw = np.array([1.5e308, 1e308, 1e-300, 1e-308])
    w = difficulty_weights(d, normalize=None, sample_weight=sw)
    assert_allclose(w, easy_first(d) * sw, rtol=1e-12)
    w = difficulty_weights(
        d, normalize=None, weighting=lambda d, y: 1e-200 * np.ones(4), sample_weight=sw
    )
    assert_allclose(w[:3], 1e-200 * sw[:3], rtol=1e-12)
    assert w[3] == 0  # 1e-508: below the smallest float


@pytest.mark.parametrize("mode", LABEL_FREE_MODES)
def test_weight_ratio_beyond_the_float_range_is_refused(mode):
    # Every sample but the first would weigh 0 next to it: a fit on one sample.
    sw = [1e308, 1e-308, 1e-308, 1e-308]
    match = (
        r"weights span more than the float range: only sample 0 keeps a non-zero "
        r"weight, and the other 3 samples .* underflow to 0 .*sample_weight with a "
        r"smaller ratio"
    )
    with pytest.raises(ValueError, match=match):
        difficulty_weights([0.1, 0.5, 2.0, 0.3], weighting=mode, sample_weight=sw)


def test_callable_ratio_beyond_the_float_range_is_refused():
    def spread(d, y):
        return np.array([1.0, 1e-300, 1e-300])

    match = r"only sample 0 keeps .* smaller strength, or a weighting callable \(spread"
    with pytest.raises(ValueError, match=match):
        difficulty_weights([0.1, 0.2, 0.3], weighting=spread, strength=2)
    # One class per sample: every class keeps its weight.
    w = difficulty_weights(
        [0.1, 0.2, 0.3], [0, 1, 2], weighting=spread, strength=2, normalize="class"
    )
    assert_array_equal(w, 1)


@pytest.mark.parametrize(
    "scale, match",
    [
        (1e200, r"normalize=None the weights overflow: the weight of sample 0"),
        (1e-200, r"normalize=None all 3 positive weights underflow to 0"),
    ],
)
def test_normalize_none_out_of_float_range_is_refused(scale, match):
    def weighting(d, y):
        return scale * (1 + d)

    with pytest.raises(ValueError, match=match + r".* normalize='mean' or 'class'"):
        difficulty_weights(
            [0.1, 0.2, 0.3], weighting=weighting, strength=2, normalize=None
        )


def test_normalize_none_underflow_of_a_built_in_mode_is_refused():
    # 0.01 ** 200 and 0.001 ** 200 are below the float range; normalized they
    # are fine (see test_tiny_weights_do_not_underflow_after_normalization).
    with pytest.raises(ValueError, match="underflow to 0 .* smaller strength"):
        difficulty_weights([0.99, 0.999], strength=200, scale="none", normalize=None)


def test_callable_infinite_weights_name_the_sample_and_the_fix():
    def weighting(d, y):
        return np.array([1.0, np.inf, 1.0])

    match = r"callable weighting returned NaN or infinite .* index 1: inf.* finite"
    with pytest.raises(ValueError, match=match):
        difficulty_weights([0.1, 0.2, 0.3], weighting=weighting)


def test_strength_beyond_the_float_range_of_the_logs_is_refused():
    with pytest.raises(ValueError, match=r"strength=1e\+308 is too large"):
        difficulty_weights([0.1, 0.2, 0.3, 5.0], strength=1e308, scale="standard")
    with pytest.raises(ValueError, match=r"strength=1e\+308 is too large"):
        difficulty_weights(
            [0.1, 0.2, 0.3], weighting=lambda d, y: 10 + d, strength=1e308
        )


@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_huge_strength_keeps_only_the_largest_weights():
    # Logs of about -1e200 must not lose the split into mantissa and exponent.
    d = np.linspace(0, 1, 6)
    w = difficulty_weights(d, weighting="medium_first", strength=1e200)
    assert_array_equal(w, [0, 0, 3, 3, 0, 0])
    for weighting in ("easy_first", lambda d, y: 0.5 + d):
        with pytest.raises(ValueError, match="only sample (0|5) keeps"):
            difficulty_weights(d, weighting=weighting, strength=1e200)


# --- the cut-off modes --------------------------------------------------------
# With a cut-off c and u = d / c, the weight is 1 up to u = 1 and beyond it
# huber: u ** -s, tukey: (1 - min(1, s (u - 1)) ** 2) ** 2, trim: 2 ** -s.
RATIOS = np.array([0.0, 0.5, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0])


def cutoff_weights(mode, d, **kwargs):
    return difficulty_weights(d, weighting=mode, normalize=None, **kwargs)


@pytest.mark.parametrize(
    "mode, strength, expected",
    [
        ("huber", 1, [1, 1, 1, 0.8, 2 / 3, 0.5, 1 / 3, 0.25]),
        ("huber", 2, [1, 1, 1, 0.64, 4 / 9, 0.25, 1 / 9, 1 / 16]),
        # s = 1: falls to 0 at u = 2; s * (u - 1) = 0.25 gives (15/16) ** 2.
        ("tukey", 1, [1, 1, 1, (15 / 16) ** 2, (3 / 4) ** 2, 0, 0, 0]),
        # s = 0.5: falls to 0 at u = 3.
        ("tukey", 0.5, [1, 1, 1, (63 / 64) ** 2, (15 / 16) ** 2, (3 / 4) ** 2, 0, 0]),
        ("trim", 3, [1, 1, 1, 1 / 8, 1 / 8, 1 / 8, 1 / 8, 1 / 8]),
    ],
)
def test_cutoff_modes_exact_values(mode, strength, expected):
    # A cut-off of 2 on the difficulty's own scale.
    w = cutoff_weights(mode, 2 * RATIOS, strength=strength, cutoff=2.0)
    assert_allclose(w, expected, rtol=1e-12, atol=0)


@pytest.mark.parametrize("mode", CUTOFF_MODES)
def test_cutoff_modes_keep_weight_one_below_the_cutoff(mode):
    rng = np.random.default_rng(0)
    residual = rng.normal(size=400)
    residual[:40] += rng.choice([-1, 1], 40) * rng.uniform(6, 12, 40)
    d = residual**2
    for method in ("mad", "mixture"):
        c = difficulty_cutoff(d, method=method)
        w = cutoff_weights(mode, d, strength=4, cutoff=method)
        inside = d <= c
        assert inside.sum() >= 340
        assert_array_equal(w[inside], 1.0)  # exactly, not approximately
        assert np.all(w[~inside] < 1)
        # Normalized to mean 1, the inliers still share one weight.
        wn = difficulty_weights(d, weighting=mode, strength=4, cutoff=method)
        assert np.ptp(wn[inside]) == 0 and wn[inside][0] > 1


@pytest.mark.parametrize("mode", CUTOFF_MODES)
@pytest.mark.parametrize("strength", [0.5, 1, 4])
def test_cutoff_modes_are_monotone(sorted_difficulty, mode, strength):
    for cutoff in ("mad", "mixture", float(np.median(sorted_difficulty))):
        w = cutoff_weights(mode, sorted_difficulty, strength=strength, cutoff=cutoff)
        assert np.all(np.diff(w) <= 0)
        assert w[0] == 1.0 and w[-1] < 1.0


@pytest.mark.parametrize("mode", CUTOFF_MODES)
def test_cutoff_modes_fall_faster_with_strength(mode):
    d = 2 * RATIOS
    weights = [cutoff_weights(mode, d, strength=s, cutoff=2.0) for s in (0, 1, 4)]
    assert_array_equal(weights[0], 1.0)
    beyond = RATIOS > 1
    assert np.all(weights[1][beyond] <= weights[0][beyond])
    assert np.all(weights[2][beyond] <= weights[1][beyond])
    assert np.all(weights[2][beyond] < 1)


def test_huber_at_half_strength_is_hubers_weight_for_squared_residuals():
    residual = np.array([-3.0, -1.0, 0.2, 1.5, 4.0])
    k = 1.5  # Huber's weight: min(1, k / |r|)
    w = cutoff_weights("huber", residual**2, strength=0.5, cutoff=k**2)
    assert_allclose(w, np.minimum(1, k / np.abs(residual)))


def test_mad_cutoff_exact_value():
    # sqrt(d) = [1, 2, 3, 4, 100]: median 3, MAD 1, sigma 1.4826 puts 100
    # beyond; again without it: median 2.5, MAD 1, and nothing changes.
    d = np.array([1.0, 2.0, 3.0, 4.0, 100.0]) ** 2
    expected = (2.5 + 3 * 1.482602218505602) ** 2
    assert_allclose(difficulty_cutoff(d, method="mad"), expected)
    # A tied majority: sqrt(pi / 2) times the mean absolute deviation from
    # the median, here (1 + 4) / 7, replaces the MAD.
    d = np.array([1.0, 1, 1, 1, 1, 2, 5]) ** 2
    sigma = np.sqrt(np.pi / 2) * 5 / 7
    assert_allclose(difficulty_cutoff(d, method="mad"), (1 + 3 * sigma) ** 2)
    # Nobody stands out when all tie.
    assert_array_equal(difficulty_cutoff(np.full(5, 0.3), method="mad"), np.inf)
    assert_array_equal(difficulty_cutoff(np.full(5, 0.3), method="mixture"), np.inf)


def contaminated_residuals(n, rate, seed, one_sided=False, size=(5, 10)):
    rng = np.random.default_rng(seed)
    residual = rng.normal(size=n)
    bad = np.zeros(n, dtype=bool)
    bad[: int(rate * n)] = True
    sign = 1 if one_sided else rng.choice([-1, 1], bad.sum())
    residual[bad] += sign * rng.uniform(*size, bad.sum())
    return residual**2, bad


@pytest.mark.parametrize("method", ["mad", "mixture"])
@pytest.mark.parametrize("rate", [0.05, 0.2, 0.4])
@pytest.mark.parametrize("one_sided", [False, True])
def test_cutoff_finds_known_contamination(method, rate, one_sided):
    d, bad = contaminated_residuals(1000, rate, seed=1, one_sided=one_sided)
    beyond = d > difficulty_cutoff(d, method=method)
    assert beyond[bad].mean() > 0.98
    assert beyond[~bad].mean() < 0.03


def test_mad_cutoff_on_clean_data_flags_only_the_far_tail():
    d, _ = contaminated_residuals(2000, 0.0, seed=2)
    c = difficulty_cutoff(d, method="mad")[0]
    # (median + 3 sigma) of |r| for normal r is about 2.5: ~1.3% beyond.
    assert 2.2**2 < c < 2.8**2
    assert (d > c).mean() < 0.025


def test_mixture_cutoff_lies_between_the_components():
    d, bad = contaminated_residuals(600, 0.25, seed=3, size=(8, 9))
    c = difficulty_cutoff(d, method="mixture")[0]
    assert d[~bad].max() < c < d[bad].min()


def test_cutoffs_scale_with_the_difficulty():
    d, _ = contaminated_residuals(300, 0.2, seed=4)
    y = np.repeat([0, 1, 2], 100)
    proba = np.full((300, 3), 0.2)
    proba[np.arange(300), y] = 0.6
    proba[:30] = [0.1, 0.1, 0.8]
    for method in ("mad", "mixture", "noise"):
        c = difficulty_cutoff(d, y, method=method, heldout_proba=proba)
        c_scaled = difficulty_cutoff(7.5 * d, y, method=method, heldout_proba=proba)
        assert_allclose(c_scaled, 7.5 * c, rtol=1e-8)
        for mode in CUTOFF_MODES:
            kwargs = {"weighting": mode, "cutoff": method, "heldout_proba": proba}
            assert_allclose(
                difficulty_weights(7.5 * d, y, **kwargs),
                difficulty_weights(d, y, **kwargs),
                rtol=1e-8,
            )


def noisy_proba(seed=0):
    """Held-out probabilities of 3 classes with known wrong labels.

    Classes of 120, 60 and 30 samples. In class 0, 12 samples are confidently
    class 1; in class 2, 6 samples are confidently class 0. The rest predict
    their own label with probability 0.7 (class 2, the rare one: 0.5).
    """
    rng = np.random.default_rng(seed)
    y = np.repeat([0, 1, 2], [120, 60, 30])
    proba = np.full((210, 3), 0.15)
    proba[np.arange(210), y] = 0.7
    proba[y == 2] = [0.25, 0.25, 0.5]
    wrong = np.zeros(210, dtype=bool)
    wrong[:12] = True
    proba[:12] = [0.1, 0.8, 0.1]
    wrong[180:186] = True
    proba[180:186] = [0.8, 0.1, 0.1]
    proba += rng.uniform(0, 0.02, proba.shape)
    proba /= proba.sum(axis=1, keepdims=True)
    return y, proba, wrong


def test_noise_cutoff_leaves_the_estimated_wrong_labels_beyond():
    y, proba, wrong = noisy_proba()
    d = -np.log(proba[np.arange(210), y])  # the log-loss difficulty
    c = difficulty_cutoff(d, y, method="noise", heldout_proba=proba)
    beyond = d > c
    assert_array_equal(beyond, wrong)
    assert np.isinf(c[y == 1]).all()  # no wrong labels found in class 1
    w = difficulty_weights(
        d, y, weighting="trim", strength=8, heldout_proba=proba, normalize=None
    )  # cutoff="auto" means "noise" when heldout_proba is given
    assert_allclose(w[wrong], 2.0**-8)
    assert_array_equal(w[~wrong], 1.0)


def test_noise_cutoff_on_clean_labels_is_above_every_sample():
    y, proba, wrong = noisy_proba()
    clean = ~wrong
    d = -np.log(proba[clean, y[clean]])
    c = difficulty_cutoff(d, y[clean], method="noise", heldout_proba=proba[clean])
    assert np.all(d <= c)


def test_noise_cutoff_keeps_at_least_one_sample_per_class():
    y = np.array([0, 0, 0, 1, 1])
    proba = np.array([[0.1, 0.9]] * 3 + [[0.9, 0.1]] * 2)  # every label wrong
    d = -np.log(proba[np.arange(5), y])
    w = difficulty_weights(
        d, y, weighting="huber", strength=50, cutoff="noise", heldout_proba=proba
    )
    for k in (0, 1):
        assert np.any(w[y == k] > 0)


@pytest.mark.parametrize("method", ["mad", "mixture"])
def test_cutoff_is_estimated_per_class(method):
    # The rare class is five times harder throughout, with its own outliers.
    d0, bad0 = contaminated_residuals(500, 0.1, seed=5)
    d1, bad1 = contaminated_residuals(100, 0.1, seed=6)
    d = np.concatenate([d0, 5 * d1])
    bad = np.concatenate([bad0, bad1])
    y = np.repeat(["common", "rare"], [500, 100])
    per_class = d > difficulty_cutoff(d, y, method=method)
    pooled = d > difficulty_cutoff(d, method=method)
    rare = y == "rare"
    # Each class's own outliers, and hardly any of its clean samples.
    assert per_class[bad].all()
    assert per_class[rare & ~bad].mean() < 0.03
    assert per_class[~rare & ~bad].mean() < 0.03
    # A pooled cut-off takes the rare class's clean tail for outliers.
    assert pooled[rare & ~bad].mean() > 0.1
    c = difficulty_cutoff(d, y, method=method)
    assert np.ptp(c[rare]) == 0 and np.ptp(c[~rare]) == 0
    assert c[rare][0] > c[~rare][0]


def test_cutoff_modes_ignore_scale_and_accept_zero_one_difficulty():
    # A zero-one difficulty, mostly 0: the MAD is 0 and the mean absolute
    # deviation takes its place.
    d = np.array([0.0] * 14 + [0.2, 0.2, 0.4, 1.0, 0.8, 1.0])
    expected = np.where(d >= 0.8, 0.25, 1.0)
    for scale in SCALES:
        w = difficulty_weights(
            d, weighting="trim", strength=2, scale=scale, normalize=None
        )
        assert_array_equal(w, expected)


def test_cutoff_of_zero_and_huber_give_zero_weights():
    w = cutoff_weights("huber", [0.0, 0.5, 0.0], cutoff=0.0)
    assert_array_equal(w, [1.0, 0.0, 1.0])
    with pytest.raises(ValueError, match="Every weight is zero"):
        difficulty_weights([0.1, 0.5], weighting="huber", cutoff=0.0)


def test_cutoff_is_ignored_by_the_rank_modes(difficulty):
    assert_array_equal(
        difficulty_weights(difficulty, cutoff=0.1),
        difficulty_weights(difficulty),
    )


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"cutoff": "median"}, "'cutoff' parameter"),
        ({"cutoff": -1.0}, "'cutoff' parameter"),
        ({"cutoff": "noise"}, "cutoff='noise' .* needs the class labels y and"),
        (
            {"cutoff": "noise", "heldout_proba": np.full((3, 2), 0.5)},
            "needs the class labels",
        ),
    ],
)
def test_bad_cutoff(kwargs, match):
    with pytest.raises(ValueError, match=match):
        difficulty_weights([0.1, 0.2, 0.3], weighting="huber", **kwargs)


def test_bad_heldout_proba_and_difficulty():
    d, y = [0.1, 0.2, 0.3], [0, 1, 1]
    with pytest.raises(ValueError, match=r"shape \(3, 2\); got shape \(3, 3\)"):
        difficulty_cutoff(d, y, method="noise", heldout_proba=np.ones((3, 3)) / 3)
    with pytest.raises(ValueError, match="heldout_proba has negative values"):
        difficulty_cutoff(d, y, method="noise", heldout_proba=[[1, 0], [2, -1], [0, 1]])
    with pytest.raises(ValueError, match="non-negative difficulties"):
        difficulty_weights([0.1, -0.2, 0.3], weighting="tukey")
    with pytest.raises(ValueError, match="non-negative difficulties"):
        difficulty_weights([0.1, -0.2, 0.3], weighting="trim", cutoff=1.0)
    with pytest.raises(ValueError, match="y has 2 samples but difficulty has 3"):
        difficulty_cutoff(d, [0, 1])
    with pytest.raises(ValueError, match="'method' parameter"):
        difficulty_cutoff(d, method="iqr")


def test_cutoff_modes_at_huge_strength_trim_to_zero():
    d = 2 * RATIOS
    for mode in CUTOFF_MODES:
        w = cutoff_weights(mode, d, strength=1e300, cutoff=2.0)
        assert_array_equal(w, np.where(RATIOS <= 1, 1.0, 0.0))
    # Beyond the float range of the logs, as for the rank modes.
    with pytest.raises(ValueError, match="strength=1e\\+308 is too large"):
        difficulty_weights([0.5, 8.0], weighting="huber", strength=1e308, cutoff=1.0)


def test_cutoff_modes_with_sample_weight_and_class_normalization():
    d, bad = contaminated_residuals(200, 0.1, seed=7)
    y = np.repeat([0, 1], 100)
    sw = np.linspace(0.5, 1.5, 200)
    base = difficulty_weights(d, y, weighting="huber", normalize=None)
    w = difficulty_weights(d, y, weighting="huber", normalize="class", sample_weight=sw)
    for k in (0, 1):
        members = y == k
        assert w[members].sum() == pytest.approx(100)
        ratio = w[members] / (base[members] * sw[members])
        assert_allclose(ratio, ratio[0])


# --- consensus ----------------------------------------------------------------
def test_consensus_weighs_the_label_against_the_heldout_favourite():
    proba = np.array([[0.8, 0.2], [0.2, 0.8], [0.5, 0.5], [0.1, 0.9]])
    y = np.array([0, 0, 1, 1])
    w = difficulty_weights(
        [0.2, 1.6, 0.7, 0.1],
        y,
        weighting="consensus",
        strength=2.0,
        heldout_proba=proba,
        normalize=None,
    )
    # (p_y / max_c p_c) ** 2: agreed labels keep 1, the second sample's
    # held-out models favour class 1 four to one.
    assert_allclose(w, [1.0, 1 / 16, 1.0, 1.0])
    mean = difficulty_weights(
        [0.2, 1.6, 0.7, 0.1], y, weighting="consensus", heldout_proba=proba
    )
    assert_allclose(mean, np.array([1, 0.25, 1, 1]) * 4 / 3.25)


def test_consensus_needs_labels_and_heldout_probabilities():
    with pytest.raises(ValueError, match="pass y and heldout_proba"):
        difficulty_weights([0.1, 0.2], [0, 1], weighting="consensus")
    with pytest.raises(ValueError, match="heldout_proba must have one row per"):
        difficulty_weights(
            [0.1, 0.2], [0, 1], weighting="consensus", heldout_proba=np.ones((3, 2))
        )
