"""Robust statistics: the median and MAD rule that finds the values standing out.

The rule estimates the center and the standard deviation of the bulk of some
values, leaving out those that lie too far from it: the center is the median
and the scale ``MAD_TO_SIGMA`` times the median absolute deviation (MAD) of
the values within ``k`` scales of the center. Both are computed over all
values, then again over those within, until the values within no longer
change. Gross errors inflate a single MAD (40% of them hide the smaller
ones); each round takes the ones found out.

Ties: where more than half of the values of a round tie, their MAD is 0. In
the first round ``MEAN_AD_TO_SIGMA`` times the mean absolute deviation from
the median stands in for it, and the rounds stop there: over a tied majority
every round would shrink the mean deviation and take in fewer values, until
only the tied ones remained (a zero-one loss, mostly 0, would lose all its
ones). In a later round, the estimate of the round before stands. Where the
mean absolute deviation is 0 too (all values tie), the scale is 0: no value
stands out.
"""

import math

import numpy as np

__all__ = [
    "IQR_TO_SIGMA",
    "MAD_TO_SIGMA",
    "MEAN_AD_TO_SIGMA",
    "robust_center_scale",
]

# Phi^-1(3/4), the upper quartile of the standard normal distribution: half
# of normal data lies within this many standard deviations of the median.
_NORMAL_QUARTILE = 0.6744897501960817

MAD_TO_SIGMA = 1 / _NORMAL_QUARTILE  # 1.482602218505602
"""MAD times this estimates the standard deviation of normal data."""

MEAN_AD_TO_SIGMA = math.sqrt(math.pi / 2)  # 1.2533141373155001
"""Mean absolute deviation times this estimates it too: E|X - mu| = sigma sqrt(2/pi)."""

IQR_TO_SIGMA = 2 * _NORMAL_QUARTILE  # 1.3489795003921634
"""The interquartile range over this estimates it too."""


def robust_center_scale(values, k, *, one_sided=False, max_rounds=50):
    """The median and robust standard deviation of the values not standing out.

    See the module docstring for the rule and its fallback for ties.

    Parameters
    ----------
    values : ndarray of shape (n_values,)
        Finite values.
    k : float
        A value stands out beyond ``k`` scales from the center.
    one_sided : bool, default=False
        Whether only values above the center stand out (losses, whose small
        values are no outliers). Otherwise values on either side do.
    max_rounds : int, default=50
        The most rounds of the median and the MAD.

    Returns
    -------
    center : float
        The median of the values within.
    scale : float
        The robust standard deviation of the values within; 0 where all
        values tie.

    Examples
    --------
    >>> import numpy as np
    >>> center, scale = robust_center_scale(np.array([1.0, 2, 3, 4, 100]), 3)
    >>> float(center), round(float(scale), 4)
    (2.5, 1.4826)
    """
    within = np.ones(values.shape[0], dtype=bool)
    center, scale = np.median(values), 0.0
    for round_ in range(max_rounds):
        kept = values[within]
        median = np.median(kept)
        deviation = np.abs(kept - median)
        sigma = MAD_TO_SIGMA * np.median(deviation)
        tied = sigma == 0
        if tied:
            if round_ > 0:
                break  # the round before stands
            sigma = MEAN_AD_TO_SIGMA * deviation.mean()
            if sigma == 0:  # all tie: nobody stands out
                break
        center, scale = median, sigma
        now = values <= center + k * scale
        if not one_sided:
            now &= values >= center - k * scale
        if tied or np.array_equal(now, within):
            break
        within = now
    return center, scale
