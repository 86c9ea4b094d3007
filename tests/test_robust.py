"""Tests of the one median and MAD rule behind the cut-offs and the flags."""

import numpy as np
from numpy.testing import assert_allclose, assert_array_equal
from scipy.stats import norm

from skdifficulty._inspection import robust_deviation
from skdifficulty.utils._robust import (
    IQR_TO_SIGMA,
    MAD_TO_SIGMA,
    MEAN_AD_TO_SIGMA,
    robust_center_scale,
)
from skdifficulty.weighting._cutoffs import difficulty_cutoff


def test_the_constants_make_normal_data_agree_with_its_sigma():
    assert MAD_TO_SIGMA == 1 / norm.ppf(0.75)
    assert MEAN_AD_TO_SIGMA == np.sqrt(np.pi / 2)
    assert IQR_TO_SIGMA == norm.ppf(0.75) - norm.ppf(0.25)
    x = np.random.default_rng(0).normal(scale=2.0, size=200_000)
    assert_allclose(MAD_TO_SIGMA * np.median(np.abs(x - np.median(x))), 2, rtol=0.01)
    assert_allclose(MEAN_AD_TO_SIGMA * np.abs(x).mean(), 2, rtol=0.01)


def test_the_rounds_leave_out_the_values_that_stand_out():
    values = np.array([1.0, 2, 3, 4, 100])
    # Round one: median 3, MAD 1 puts 100 out; round two: median 2.5, MAD 1.
    center, scale = robust_center_scale(values, 3)
    assert (center, scale) == (2.5, MAD_TO_SIGMA)
    # One-sided, the values far below the center stay within.
    values = np.array([-50.0, -50, 10, 11, 12, 13, 14])
    assert robust_center_scale(values, 3, one_sided=True)[0] == 11
    assert robust_center_scale(values, 3)[0] == 12


def test_a_tied_majority():
    # In the first round the mean absolute deviation stands in, once.
    values = np.array([1.0, 1, 1, 1, 1, 2, 5])
    assert_allclose(robust_center_scale(values, 3), (1, MEAN_AD_TO_SIGMA * 5 / 7))
    # In a later round the round before stands: without the 100, the MAD of
    # the five 0s and four 1s is 0.
    values = np.array([0.0] * 5 + [1.0] * 4 + [100.0])
    center, scale = robust_center_scale(values, 3, one_sided=True)
    assert_allclose((center, scale), (0.5, 0.5 * MAD_TO_SIGMA))
    # All tie: no scale, nobody stands out.
    assert robust_center_scale(np.full(4, 0.3), 3) == (0.3, 0.0)


def test_the_cutoff_and_the_flags_use_the_same_rule():
    residual = np.random.default_rng(1).standard_t(2, size=300)
    center, scale = robust_center_scale(residual, 3.5)
    assert_array_equal(robust_deviation(residual), np.abs(residual - center) / scale)
    loss = residual**2
    center, scale = robust_center_scale(np.abs(residual), 3.0, one_sided=True)
    assert_allclose(difficulty_cutoff(loss, method="mad"), (center + 3 * scale) ** 2)
