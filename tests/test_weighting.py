"""Tests of the weighting schemes and their normalization."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from skdifficulty._weighting import (
    SCALES,
    WEIGHTING_MODES,
    difficulty_weights,
    easy_first,
    hard_first,
    medium_first,
    two_ends,
)

SCHEMES = {
    "easy_first": easy_first,
    "hard_first": hard_first,
    "medium_first": medium_first,
    "two_ends": two_ends,
}
BUILT_IN = [mode for mode in WEIGHTING_MODES if mode != "none"]


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


def test_mode_names():
    assert set(WEIGHTING_MODES) == {*SCHEMES, "none"}
    assert SCALES == ("rank", "standard", "none")


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
    assert_array_equal(
        difficulty_weights(d, weighting=mode, strength=0, scale=scale), 1
    )
    if mode != "none":
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
@pytest.mark.parametrize("mode", WEIGHTING_MODES)
def test_rank_scale_ignores_monotone_transforms(difficulty, mode):
    w = difficulty_weights(difficulty, weighting=mode, strength=2)
    for transform in (lambda d: 1000 * d, np.log1p, lambda d: np.exp(3 * d) - 7):
        w_t = difficulty_weights(transform(difficulty), weighting=mode, strength=2)
        assert_allclose(w_t, w, rtol=1e-12)


@pytest.mark.parametrize("mode", BUILT_IN)
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
@pytest.mark.parametrize("mode", WEIGHTING_MODES)
def test_mean_normalization(difficulty, mode):
    w = difficulty_weights(difficulty, weighting=mode, strength=4)
    assert w.mean() == pytest.approx(1.0)
    assert np.all(w > 0)


@pytest.mark.parametrize("mode", WEIGHTING_MODES)
def test_class_normalization_balances_classes(difficulty, mode):
    y = np.array(["a"] * 30 + ["b"] * 8 + ["c"] * 3)
    w = difficulty_weights(difficulty, y, weighting=mode, normalize="class")
    totals = [w[y == c].sum() for c in "abc"]
    assert_allclose(totals, len(y) / 3)
    # Within a class the scheme's ratios are kept.
    base = difficulty_weights(difficulty, weighting=mode, normalize=None)
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

    for weighting in (*WEIGHTING_MODES, in_place):
        difficulty_weights(
            difficulty, y, weighting=weighting, normalize="class", sample_weight=sw
        )
    assert_array_equal(difficulty, d)
    assert_array_equal(y, y0)
    assert_array_equal(sw, sw0)


def test_output_is_a_new_array(difficulty):
    d = np.linspace(0, 1, 5)
    for mode in WEIGHTING_MODES:
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
@pytest.mark.parametrize("mode", WEIGHTING_MODES)
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
@pytest.mark.parametrize("mode", WEIGHTING_MODES)
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


@pytest.mark.parametrize("mode", WEIGHTING_MODES)
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
