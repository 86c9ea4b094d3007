"""Weighting schemes: turn per-sample difficulty into sample weights.

The rank modes work on the *share* of the training samples on either side of
a sample's difficulty, so that one ``strength`` means the same on every data
set and every loss. With ``q`` the share of samples easier than sample ``i``
(its mid-rank by default), the weight is a power of a share:

============  ==========================  ==================================
mode          weight                      in words
============  ==========================  ==================================
easy_first    ``(1 - q) ** s``            share of samples harder than it
hard_first    ``q ** s``                  share of samples easier than it
medium_first  ``(2 * min(q, 1-q)) ** s``  twice the share in its smaller tail
two_ends      ``max(q, 1-q) ** s``        share in its larger tail
============  ==========================  ==================================

In easy_first, hard_first and two_ends a sample whose share is one half weighs
``2 ** -s`` as much as the samples at the favoured end; in medium_first a sample
at either quartile weighs ``2 ** -s`` as much as the median one. ``s = 0`` gives
uniform weights.

The cut-off modes work on the difficulty's own scale instead, as robust
regression does with residuals: every sample up to a cut-off ``c`` estimated
from the data (:func:`difficulty_cutoff`, per class when labels are given) or
given as a number keeps weight 1, and only the samples beyond it lose weight.
With ``u = d / c`` a sample's difficulty over its cut-off, the weight beyond
the cut-off is:

======  =========================================  ============================
mode    weight for ``u > 1``                       in words
======  =========================================  ============================
huber   ``u ** -s``                                twice the cut-off weighs
                                                   ``2 ** -s``
tukey   ``(1 - min(1, s * (u - 1)) ** 2) ** 2``    falls smoothly to 0 at
                                                   ``u = 1 + 1/s``
trim    ``2 ** -s``                                every sample beyond weighs
                                                   ``2 ** -s``
======  =========================================  ============================

``s = 0`` gives uniform weights here too.
"""

from numbers import Real

import numpy as np
from scipy.special import log_ndtr
from scipy.stats import rankdata
from sklearn.utils import check_array

from ..utils._compat import Interval, StrOptions, validate_params
from ..utils._confident import estimate_noise_share
from ..utils._validation import (
    check_class_labels,
    check_float_vector,
    check_length,
    check_weights,
)

RANK_MODES = ("easy_first", "hard_first", "medium_first", "two_ends")
"""The modes that work on the share of easier samples (see ``scale``)."""

CUTOFF_MODES = ("huber", "tukey", "trim")
"""The modes that keep weight 1 up to a cut-off on the difficulty's own scale."""

LABEL_MODES = ("consensus",)
"""The modes that compare the label with the held-out class probabilities."""

WEIGHTING_MODES = (*RANK_MODES, *CUTOFF_MODES, *LABEL_MODES, "none")
"""Names accepted by ``difficulty_weights(weighting=...)`` (a callable also is)."""

CUTOFFS = ("auto", "mad", "mixture", "noise")
"""Names accepted by the ``cutoff`` parameter (a number also is)."""

SCALES = ("rank", "standard", "none")
"""Names accepted by the ``scale`` parameter."""

# sigma of a normal distribution = IQR / (2 * 0.6745): makes the robust
# z-score agree with the ordinary one on normal data.
_IQR_TO_SIGMA = 1.3489795003921634

_LN2 = np.log(2.0)

_SCHEME_PARAMS = {
    "difficulty": ["array-like"],
    "strength": [Interval(Real, 0, None, closed="left")],
    "scale": [StrOptions(set(SCALES))],
}


def _robust_z(d):
    """(d - median) / sigma, sigma from the IQR (the std if the IQR is 0)."""
    q25, median, q75 = np.percentile(d, [25, 50, 75])
    sigma = (q75 - q25) / _IQR_TO_SIGMA
    if sigma == 0:  # more than half the samples tie
        sigma = d.std()
    if sigma == 0:  # all samples tie: nobody is easier or harder
        return np.zeros_like(d)
    return (d - median) / sigma


def _log_shares(d, scale):
    """Logs of the shares of samples easier (``q``) and harder (``1 - q``).

    Logs keep extreme samples at a tiny positive weight instead of 0 under
    ``scale="standard"``, and let the dispatcher rescale before exponentiating.
    """
    if scale == "rank":
        n = d.shape[0]
        rank = rankdata(d)  # ties get the average rank
        return np.log((rank - 0.5) / n), np.log((n - rank + 0.5) / n)
    if scale == "standard":
        z = _robust_z(d)
        return log_ndtr(z), log_ndtr(-z)
    if d.min() < 0 or d.max() > 1:
        raise ValueError(
            "With scale='none' the difficulty is used as the share q itself and "
            f"must lie in [0, 1]; got values in [{d.min():.4g}, {d.max():.4g}]. "
            "Use scale='rank' or scale='standard' for other difficulties."
        )
    with np.errstate(divide="ignore"):  # q = 0 or 1 gives a zero weight
        return np.log(d), np.log1p(-d)


def _log_base_weight(mode, log_lower, log_upper):
    """Log of the share whose power is the weight, for a built-in mode."""
    if mode == "easy_first":
        return log_upper
    if mode == "hard_first":
        return log_lower
    if mode == "medium_first":
        return np.log(2.0) + np.minimum(log_lower, log_upper)
    return np.maximum(log_lower, log_upper)  # two_ends


def _log_weights(difficulty, mode, strength, scale):
    """Log weights ``strength * log(share)`` of a named mode.

    -inf marks a weight of exactly 0 (a share of 0 under ``scale="none"``).
    """
    d = check_float_vector(difficulty, "difficulty")
    if mode == "none":
        return np.zeros_like(d)
    log_lower, log_upper = _log_shares(d, scale)
    if strength == 0:  # exactly uniform, even where a share is 0
        return np.zeros_like(log_lower)
    return _log_power(_log_base_weight(mode, log_lower, log_upper), strength)


def _log_power(log_base, strength):
    """``strength * log_base``, refusing a strength that overflows the logs.

    A log of -inf (a weight of exactly 0) stays -inf; a finite log that
    became infinite would turn a positive weight into 0 or infinity.
    """
    with np.errstate(over="ignore"):
        log_w = strength * log_base
    if np.any(np.isfinite(log_base) & ~np.isfinite(log_w)):
        raise ValueError(
            f"strength={strength:g} is too large: strength times the log of a base "
            "weight is beyond the float range, so the weights cannot be told "
            "apart. Use a smaller strength."
        )
    return log_w


def _scheme(mode, difficulty, strength, scale):
    """Unnormalized weights of a built-in mode: ``share ** strength``."""
    return np.exp(_log_weights(difficulty, mode, strength, scale))


@validate_params(_SCHEME_PARAMS, prefer_skip_nested_validation=True)
def easy_first(difficulty, *, strength=1.0, scale="rank"):
    """Weights that fall as the difficulty rises.

    Samples with noisy labels are hard, so this mode gives them little weight.

    Parameters
    ----------
    difficulty : array-like of shape (n_samples,)
        Per-sample difficulty, larger is harder.
        Must be finite.
    strength : float, default=1.0
        Exponent ``s >= 0``. The sample in the middle of the ranking weighs
        ``2 ** -s`` as much as the easiest one; 0 gives uniform weights.
    scale : {"rank", "standard", "none"}, default="rank"
        How the difficulty becomes the share ``q`` of easier samples:

        - "rank": the mid-rank ``q = (rank - 1/2) / n`` (ties share the
          average rank). Only the order of the difficulties matters.
        - "standard": ``q = Phi(z)`` with ``z = (d - median) / sigma``,
          ``sigma = IQR / 1.349`` (the standard deviation if the IQR is 0) and
          ``Phi`` the normal CDF. Keeps the gaps between difficulties: a
          sample far above the others gets far less weight.
        - "none": ``q = d`` itself, which must lie in [0, 1] (e.g. a zero-one
          difficulty, one minus the C-score).

    Returns
    -------
    weights : ndarray of shape (n_samples,)
        The unnormalized weights ``(1 - q) ** s``, in (0, 1] (a sample
        extremely far above the others may underflow to 0 under
        ``scale="standard"``; :func:`difficulty_weights` rescales first).

    See Also
    --------
    difficulty_weights : Any mode, with normalization and sample weights.

    Notes
    -----
    .. math:: w_i = (1 - q_i)^s

    where :math:`1 - q_i` is the share of samples harder than sample
    :math:`i`. For integer :math:`s` it is the chance that :math:`s` samples
    drawn at random are all harder than :math:`i`. The weight ratio of two
    samples is :math:`((1 - q_i) / (1 - q_j))^s`, whatever the data set.

    Examples
    --------
    >>> from skdifficulty import easy_first
    >>> easy_first([0.1, 0.5, 2.0, 0.3], strength=1.0)
    array([0.875, 0.375, 0.125, 0.625])
    """
    return _scheme("easy_first", difficulty, strength, scale)


@validate_params(_SCHEME_PARAMS, prefer_skip_nested_validation=True)
def hard_first(difficulty, *, strength=1.0, scale="rank"):
    """Weights that rise with the difficulty (as in boosting or focal loss).

    Parameters
    ----------
    difficulty : array-like of shape (n_samples,)
        Per-sample difficulty, larger is harder. Must be finite.
    strength : float, default=1.0
        Exponent ``s >= 0``. The sample in the middle of the ranking weighs
        ``2 ** -s`` as much as the hardest one; 0 gives uniform weights.
    scale : {"rank", "standard", "none"}, default="rank"
        How the difficulty becomes the share ``q`` of easier samples; see
        :func:`easy_first`.

    Returns
    -------
    weights : ndarray of shape (n_samples,)
        The unnormalized weights ``q ** s``, in (0, 1].

    See Also
    --------
    difficulty_weights : Any mode, with normalization and sample weights.

    Notes
    -----
    .. math:: w_i = q_i^s

    where :math:`q_i` is the share of samples easier than sample :math:`i`:
    the mirror image of :func:`easy_first`.

    Examples
    --------
    >>> from skdifficulty import hard_first
    >>> hard_first([0.1, 0.5, 2.0, 0.3], strength=2.0)
    array([0.015625, 0.390625, 0.765625, 0.140625])
    """
    return _scheme("hard_first", difficulty, strength, scale)


@validate_params(_SCHEME_PARAMS, prefer_skip_nested_validation=True)
def medium_first(difficulty, *, strength=1.0, scale="rank"):
    """Weights that peak at the median difficulty and fall toward both ends.

    Parameters
    ----------
    difficulty : array-like of shape (n_samples,)
        Per-sample difficulty, larger is harder. Must be finite.
    strength : float, default=1.0
        Exponent ``s >= 0``. A sample at either quartile weighs ``2 ** -s``
        as much as the median one; 0 gives uniform weights.
    scale : {"rank", "standard", "none"}, default="rank"
        How the difficulty becomes the share ``q`` of easier samples; see
        :func:`easy_first`.

    Returns
    -------
    weights : ndarray of shape (n_samples,)
        The unnormalized weights ``(2 min(q, 1 - q)) ** s``, in (0, 1].

    See Also
    --------
    difficulty_weights : Any mode, with normalization and sample weights.

    Notes
    -----
    .. math:: w_i = \\bigl(2 \\min(q_i, 1 - q_i)\\bigr)^s = (1 - |2 q_i - 1|)^s

    twice the share of samples in the smaller tail beyond sample :math:`i`.

    Examples
    --------
    >>> from skdifficulty import medium_first
    >>> medium_first([0.1, 0.5, 2.0, 0.3], strength=1.0)
    array([0.25, 0.75, 0.25, 0.75])
    """
    return _scheme("medium_first", difficulty, strength, scale)


@validate_params(_SCHEME_PARAMS, prefer_skip_nested_validation=True)
def two_ends(difficulty, *, strength=1.0, scale="rank"):
    """Weights that are high for the easiest and the hardest samples.

    Parameters
    ----------
    difficulty : array-like of shape (n_samples,)
        Per-sample difficulty, larger is harder. Must be finite.
    strength : float, default=1.0
        Exponent ``s >= 0``. The median sample weighs ``2 ** -s`` as much as
        those at either end; 0 gives uniform weights.
    scale : {"rank", "standard", "none"}, default="rank"
        How the difficulty becomes the share ``q`` of easier samples; see
        :func:`easy_first`.

    Returns
    -------
    weights : ndarray of shape (n_samples,)
        The unnormalized weights ``max(q, 1 - q) ** s``, in [2 ** -s, 1].

    See Also
    --------
    difficulty_weights : Any mode, with normalization and sample weights.

    Notes
    -----
    .. math:: w_i = \\max(q_i, 1 - q_i)^s

    the share of samples in the larger tail beyond sample :math:`i`. The
    weights are bounded, so the extreme samples never dominate the fit.

    Examples
    --------
    >>> from skdifficulty import two_ends
    >>> two_ends([0.1, 0.5, 2.0, 0.3], strength=1.0)
    array([0.875, 0.625, 0.875, 0.625])
    """
    return _scheme("two_ends", difficulty, strength, scale)


# -- the cut-off modes --------------------------------------------------------

# 1.4826 * MAD estimates the standard deviation of normal data.
_MAD_TO_SIGMA = 1.482602218505602

# sqrt(pi / 2) * mean absolute deviation estimates it too.
_MEAN_AD_TO_SIGMA = 1.2533141373155001

# The cut-off of cutoff="mad": this many robust standard deviations above the
# median, on the square root of the difficulty.
_MAD_K = 3.0


def _check_losses(d):
    """Refuse negative difficulties: the cut-off modes need losses."""
    if d.shape[0] and d.min() < 0:
        raise ValueError(
            "The cut-off modes (huber, tukey, trim) need non-negative difficulties "
            f"(held-out losses); got a minimum of {d.min():.4g}."
        )


def _mad_cutoff(d, max_rounds=50):
    """``(median + 3 sigma) ** 2`` of ``sqrt(d)``; +inf where nothing stands out.

    For the squared error ``sqrt(d)`` is the root-mean-square held-out
    residual, and the rule is the classical three-sigma rule with a robust
    sigma: 1.4826 times the median absolute deviation (MAD). Gross errors
    inflate a single MAD (40% of them hide the smaller ones), so the median
    and the MAD are computed again over the values within the cut-off, until
    those no longer change. Where more than half the values tie (a zero-one
    difficulty, mostly 0), 1.2533 times the mean absolute deviation from the
    median replaces the MAD once, without further rounds (both estimate the
    standard deviation of normal data).
    """
    t = np.sqrt(d)
    within = np.ones(t.shape[0], dtype=bool)
    cutoff = np.inf
    for round_ in range(max_rounds):
        values = t[within]
        median = np.median(values)
        deviation = np.abs(values - median)
        sigma = _MAD_TO_SIGMA * np.median(deviation)
        tied = sigma == 0
        if tied:
            if round_ > 0:
                break  # keep the last cut-off
            sigma = _MEAN_AD_TO_SIGMA * deviation.mean()
            if sigma == 0:  # all tie: nobody stands out
                return np.inf
        cutoff = median + _MAD_K * sigma
        now = t <= cutoff
        if tied or np.array_equal(now, within):
            break
        within = now
    return cutoff**2


def _two_means_split(t):
    """Index that splits sorted ``t`` into two groups of least total variance."""
    n = t.shape[0]
    csum = np.cumsum(t)
    k = np.arange(1, n)  # sizes of the lower group
    lower = csum[:-1]
    upper = csum[-1] - lower
    # Between-group sum of squares, up to a constant: maximize it.
    between = lower**2 / k + upper**2 / (n - k)
    return int(np.argmax(between)) + 1


def _normal_logpdf(t, mean, var):
    return -0.5 * (np.log(2 * np.pi * var) + (t - mean) ** 2 / var)


def _fit_two_normals(t, max_iter=1000, tol=1e-12):
    """EM for a mixture of two normals on 1-D ``t``, started from 2-means.

    Deterministic, and stops when no responsibility moves by more than
    ``tol``, so that scaling ``t`` scales the fit. Returns (weights, means,
    variances), the lower mean first.
    """
    t = np.sort(t)
    split = _two_means_split(t)
    floor = 1e-6 * t.var() + 1e-300
    resp = np.zeros((t.shape[0], 2))
    resp[:split, 0] = 1.0
    resp[split:, 1] = 1.0
    for _ in range(max_iter):
        totals = resp.sum(axis=0)
        weights = totals / t.shape[0]
        means = resp.T @ t / totals
        variances = np.maximum(
            (resp * (t[:, None] - means) ** 2).sum(0) / totals, floor
        )
        log_joint = np.log(weights) + _normal_logpdf(t[:, None], means, variances)
        top = log_joint.max(axis=1, keepdims=True)
        log_norm = top + np.log(np.exp(log_joint - top).sum(axis=1, keepdims=True))
        previous, resp = resp, np.exp(log_joint - log_norm)
        if np.max(np.abs(resp - previous)) <= tol:
            break
    order = np.argsort(means)
    return weights[order], means[order], variances[order]


def _mixture_cutoff(d):
    """Where the upper of two normals fitted to ``sqrt(d)`` becomes the likelier.

    The cut-off is the smallest point above the lower component's mean at
    which a sample is more likely to come from the upper component, squared
    back onto the difficulty's scale; +inf where the upper component never
    wins there (or the data cannot hold two components).
    """
    t = np.sqrt(d)
    if t.shape[0] < 4 or t.max() == t.min():
        return np.inf
    (w_lo, w_hi), (m_lo, m_hi), (v_lo, v_hi) = _fit_two_normals(t)
    if not (w_hi > 0 and m_hi > m_lo):
        return np.inf
    # f(x) = log(w_hi N(x; hi)) - log(w_lo N(x; lo)) = a x^2 + b x + c
    a = 0.5 / v_lo - 0.5 / v_hi
    b = m_hi / v_hi - m_lo / v_lo
    c = (
        np.log(w_hi / w_lo)
        - 0.5 * np.log(v_hi / v_lo)
        - 0.5 * m_hi**2 / v_hi
        + 0.5 * m_lo**2 / v_lo
    )

    def f(x):
        return (a * x + b) * x + c

    if f(m_lo) >= 0:
        return m_lo**2
    if abs(a) < 1e-12 * (abs(b) + 1e-300):
        roots = np.array([-c / b]) if b != 0 else np.array([])
    else:
        disc = b * b - 4 * a * c
        if disc < 0:
            return np.inf
        root = np.sqrt(disc)
        roots = np.array([(-b - root) / (2 * a), (-b + root) / (2 * a)])
    # f(m_lo) < 0: the first root above m_lo is where the upper one starts winning.
    above = np.sort(roots[roots > m_lo])
    return above[0] ** 2 if above.size else np.inf


def _check_heldout_proba(heldout_proba, n_samples, n_classes):
    proba = check_array(heldout_proba, dtype=np.float64, input_name="heldout_proba")
    if proba.shape != (n_samples, n_classes):
        raise ValueError(
            f"heldout_proba must have one row per sample and one column per class "
            f"(in the sorted order of the labels y), shape ({n_samples}, "
            f"{n_classes}); got shape {proba.shape}."
        )
    if np.any(proba < 0):
        raise ValueError("heldout_proba has negative values.")
    return proba


def _noise_counts(codes, proba):
    """Per class, how many labels confident learning estimates to be wrong.

    The calibrated confident joint of Northcutt et al. (2021), as
    :func:`difficulty_table` flags with it; at most all but one of a class's
    samples.
    """
    _, per_class = estimate_noise_share(proba, codes)
    counts = np.bincount(codes, minlength=proba.shape[1])
    issues = np.rint(per_class).astype(np.intp)
    return np.clip(issues, 0, np.maximum(counts - 1, 0))


def _group_cutoff(d, method):
    if method == "mad":
        return _mad_cutoff(d)
    return _mixture_cutoff(d)


@validate_params(
    {
        "difficulty": ["array-like"],
        "y": ["array-like", None],
        "method": [StrOptions(set(CUTOFFS))],
        "heldout_proba": ["array-like", None],
    },
    prefer_skip_nested_validation=True,
)
def difficulty_cutoff(difficulty, y=None, *, method="auto", heldout_proba=None):
    """The cut-off of each sample's difficulty above which it counts as an outlier.

    The cut-off modes of :func:`difficulty_weights` (``"huber"``, ``"tukey"``
    and ``"trim"``) keep weight 1 up to it. With class labels ``y`` it is
    estimated within each class, so that a rare class, whose samples are
    harder for every model, is judged by its own standard.

    Parameters
    ----------
    difficulty : array-like of shape (n_samples,)
        Per-sample difficulty: a held-out loss, non-negative and finite.
    y : array-like of shape (n_samples,), default=None
        Class labels: one cut-off per class. ``None`` (regression): one for
        all samples.
    method : {"auto", "mad", "mixture", "noise"}, default="auto"
        - "mad": ``(median + 3 * sigma) ** 2`` of the square root of the
          difficulty, ``sigma = 1.4826 * MAD``, with the median and the MAD
          computed again over the values within the cut-off until those no
          longer change (if more than half the values tie, ``sigma`` is
          ``1.2533`` times the mean absolute deviation from the median, in
          one round). For the squared error the square root is the
          root-mean-square held-out residual, so this is the three-sigma
          rule of robust regression with a robust sigma.
        - "mixture": two normal components fitted (by EM, from a 2-means
          split) to the square root of the difficulty; the cut-off is where a
          sample becomes likelier to belong to the upper one. It always finds
          two components, also in clean data.
        - "noise": the number of wrong labels in each class estimated by
          confident learning (Northcutt et al., 2021) from
          ``heldout_proba``: a sample labelled ``i`` counts toward class
          ``j`` when its probability of ``j`` reaches the mean probability of
          ``j`` among the samples labelled ``j`` and is the largest such, and
          each row of these counts is rescaled to the class's size. The
          cut-off leaves that many of the class's hardest samples beyond it
          (ties kept below; at least one sample kept). Needs ``y`` and
          ``heldout_proba``.
        - "auto": "noise" when ``heldout_proba`` is given, else "mad".
    heldout_proba : array-like of shape (n_samples, n_classes), default=None
        Held-out class probabilities of the training samples, columns in
        the sorted order of the labels, e.g.
        :attr:`DifficultyEstimator.heldout_proba_`.

    Returns
    -------
    cutoff : ndarray of shape (n_samples,)
        The cut-off of each sample (the same within a class); ``inf`` where
        no sample stands out.

    See Also
    --------
    difficulty_weights : Weights from the difficulty and its cut-off.

    Examples
    --------
    >>> import numpy as np
    >>> from skdifficulty import difficulty_cutoff
    >>> d = np.array([1.0, 1.2, 0.8, 1.1, 0.9, 1.0, 9.0]) ** 2
    >>> cutoff = difficulty_cutoff(d, method="mad")
    >>> bool(cutoff[0] < 9.0**2), bool(cutoff[0] > 1.2**2)
    (True, True)
    """
    d = check_float_vector(difficulty, "difficulty")
    _check_losses(d)
    n_samples = d.shape[0]
    check_length(y, n_samples, "y", unit="samples")
    if method == "auto":
        method = "mad" if heldout_proba is None else "noise"
    if method == "noise" and (y is None or heldout_proba is None):
        raise ValueError(
            "cutoff='noise' estimates the share of wrong labels in each class by "
            "confident learning, which needs the class labels y and the held-out "
            "probabilities heldout_proba (DifficultyEstimator.heldout_proba_); "
            "use 'mad' or 'mixture' without them."
        )
    if y is None:
        return np.full(n_samples, _group_cutoff(d, method))
    classes, codes = _class_codes(y)
    cutoff = np.empty(n_samples)
    if method == "noise":
        proba = _check_heldout_proba(heldout_proba, n_samples, classes.shape[0])
        issues = _noise_counts(codes, proba)
    for k in range(classes.shape[0]):
        members = codes == k
        if method == "noise":
            values = np.sort(d[members])
            n_kept = values.shape[0] - issues[k]
            cutoff[members] = np.inf if issues[k] == 0 else values[n_kept - 1]
        else:
            cutoff[members] = _group_cutoff(d[members], method)
    return cutoff


def _log_consensus_weights(y, heldout_proba, strength):
    """Log weights ``s * (log p_y - max_c log p_c)`` of the held-out probabilities.

    0 where the held-out models' most probable class is the label; -inf
    where they give the label probability 0.
    """
    if y is None or heldout_proba is None:
        raise ValueError(
            "weighting='consensus' compares each label with the held-out class "
            "probabilities: pass y and heldout_proba (DifficultyEstimator's "
            "heldout_proba_, from loss='log_loss' or 'brier')."
        )
    classes, codes = check_class_labels(y, min_classes=1)
    proba = _check_heldout_proba(heldout_proba, codes.shape[0], classes.shape[0])
    with np.errstate(divide="ignore"):
        log_ratio = np.log(proba[np.arange(codes.shape[0]), codes]) - np.log(
            proba.max(axis=1)
        )
    if strength == 0:
        return np.zeros_like(log_ratio)
    return _log_power(log_ratio, strength)


def _cutoffs(d, y, cutoff, heldout_proba):
    """Each sample's cut-off: estimated by name, or the number given."""
    if isinstance(cutoff, str):
        return difficulty_cutoff(d, y, method=cutoff, heldout_proba=heldout_proba)
    _check_losses(d)
    return np.full(d.shape[0], float(cutoff))


def _log_cutoff_weights(d, c, mode, strength):
    """Log weights of a cut-off mode: 0 up to the cut-off ``c``, falling beyond.

    -inf marks a weight of exactly 0 (``tukey`` far out; ``huber`` for a
    positive difficulty over a cut-off of 0).
    """
    log_w = np.zeros_like(d)
    if strength == 0:  # exactly uniform
        return log_w
    beyond = d > c
    if not beyond.any():
        return log_w
    with np.errstate(divide="ignore"):  # a cut-off of 0: u = inf
        ratio = d[beyond] / c[beyond]
    if mode == "huber":
        log_w[beyond] = _log_power(-np.log(ratio), strength)
    elif mode == "trim":
        log_w[beyond] = _log_power(np.full(ratio.shape, -_LN2), strength)
    else:  # tukey
        with np.errstate(over="ignore"):
            reach = np.minimum(1.0, strength * (ratio - 1.0))
        with np.errstate(divide="ignore"):
            log_w[beyond] = 2.0 * np.log1p(-(reach**2))
    return log_w


def _callable_weights(func, difficulty, y):
    """Call a user weighting on copies of the inputs and check what it returns."""
    d = check_float_vector(difficulty, "difficulty")
    y_copy = None if y is None else np.array(y, copy=True)
    w = np.asarray(func(d.copy(), y_copy))
    name = getattr(func, "__name__", repr(func))
    if w.ndim != 1 or w.shape[0] != d.shape[0]:
        raise ValueError(
            f"The weighting callable {name} must return a 1-D array with one weight "
            f"per sample, shape ({d.shape[0]},); got shape {w.shape}."
        )
    if not np.issubdtype(w.dtype, np.number) or np.issubdtype(
        w.dtype, np.complexfloating
    ):
        raise ValueError(
            f"The weighting callable {name} must return real numbers; got dtype "
            f"{w.dtype}."
        )
    w = w.astype(np.float64)
    if not np.all(np.isfinite(w)):
        first = int(np.flatnonzero(~np.isfinite(w))[0])
        raise ValueError(
            f"The weighting callable {name} returned NaN or infinite weights (the "
            f"first at index {first}: {w[first]}). Return finite weights; only "
            "their ratios matter after normalization, so scale them down (e.g. "
            "divide by their maximum) rather than let them overflow."
        )
    if np.any(w < 0):
        raise ValueError(f"The weighting callable {name} returned negative weights.")
    if not np.any(w > 0):
        raise ValueError(f"The weighting callable {name} returned only zero weights.")
    return w


def _split_callable_weights(w, strength, *, relative):
    """``w ** strength`` as ``(mantissa, exponent)``, which cannot overflow.

    With ``relative`` the weights may be divided by a common factor.
    """
    if strength == 0:  # exactly uniform, even where w is 0
        return _split(np.ones_like(w))
    if strength == 1:
        return _split(w)  # exact
    with np.errstate(divide="ignore"):  # log(0) = -inf: a weight of 0
        log_w = np.log(w)
    return _split_log(_log_power(log_w, strength), relative=relative)


def _split(w):
    """Finite non-negative ``w`` as ``mantissa * 2 ** exponent``, exactly.

    The mantissas lie in [0.5, 1) (0 for a weight of 0); the exponents are
    integers held as floats, so that a product of weights far beyond the float
    range still has an exact exponent.
    """
    mantissa, exponent = np.frexp(w)
    return mantissa, exponent.astype(np.float64)


def _split_log(log_w, *, relative):
    """Weights given by their logs as ``mantissa * 2 ** exponent``.

    The mantissas lie in [1, 2) (0 where the log is -inf, a weight of 0), so a
    log far below or above the float range of the weight itself is kept. With
    ``relative`` the weights are divided by the largest one first (a common
    factor, which the normalization cancels).
    """
    positive = np.isfinite(log_w)
    safe = np.where(positive, log_w, 0.0)
    if relative and positive.any():
        safe = safe - safe[positive].max()
    # A weight beyond e ** 1e5 (or its inverse) is inf (or 0) however it is
    # later multiplied or rescaled; the clip keeps huge logs from losing the
    # split below to rounding.
    safe = np.clip(safe, -1e5, 1e5)
    exponent = np.floor(safe / _LN2)
    mantissa = np.where(positive, np.exp(safe - exponent * _LN2), 0.0)
    return mantissa, exponent


def _combine(mantissa, exponent, *, codes=None, n_groups=1, scale=True):
    """The weights ``mantissa * 2 ** exponent``, each group divided by a power of 2.

    With ``scale`` every group (the samples whose ``codes`` agree; all samples
    when ``codes`` is None) is divided by 2 to the largest exponent of its
    positive weights, which puts every weight of the group below 2 and its
    largest one at 0.25 or more: the sums that normalize them then cannot
    overflow. Weights more than about 2 ** 1074 times below the largest one of
    their group underflow to 0.
    """
    if codes is None:
        codes = np.zeros(mantissa.shape[0], dtype=np.intp)
    if scale:
        top = np.full(n_groups, -np.inf)
        positive = mantissa > 0
        np.maximum.at(top, codes[positive], exponent[positive])
        exponent = exponent - top[codes]  # +inf only in a group of zeros
    # Beyond +-2200 every result is 0 or inf already; the clip makes ints safe.
    shift = np.clip(np.nan_to_num(exponent), -2200, 2200).astype(np.int64)
    with np.errstate(over="ignore", under="ignore"):
        return np.ldexp(mantissa, shift)


def _fixes(weighting, strength, sample_weight):
    """What the caller can change when the weights leave the float range."""
    fixes = []
    if strength > 0 and not (isinstance(weighting, str) and weighting == "none"):
        fixes.append("a smaller strength")
    if sample_weight is not None:
        fixes.append("sample_weight with a smaller ratio of largest to smallest")
    if callable(weighting):
        name = getattr(weighting, "__name__", repr(weighting))
        fixes.append(f"a weighting callable ({name}) whose weights spread less")
    return ", or ".join(fixes)


def _check_representable(before, after, normalize, fixes):
    """Refuse weights that the float range cannot hold.

    ``before`` are the mantissas of the exact weights (0 only for a weight of
    exactly 0), ``after`` the float weights computed from them, ``fixes`` what
    the caller can change.
    """
    n_positive = np.count_nonzero(before)
    rescale = (
        "Use normalize='mean' or 'class', which rescale the weights into the "
        "float range" + (f", or {fixes}." if fixes else ".")
    )
    if normalize is None and not np.all(np.isfinite(after)):
        first = int(np.flatnonzero(~np.isfinite(after))[0])
        raise ValueError(
            "With normalize=None the weights overflow: the weight of sample "
            f"{first} is beyond the largest float (about 1.8e308). " + rescale
        )
    kept = np.count_nonzero(after)
    if kept == 0:
        raise ValueError(
            f"With normalize=None all {n_positive} positive weights underflow to 0 "
            "(they are below the smallest float, about 5e-324). " + rescale
        )
    if kept == 1 and n_positive > 1:
        survivor = int(np.flatnonzero(after)[0])
        raise ValueError(
            f"The weights span more than the float range: only sample {survivor} "
            f"keeps a non-zero weight, and the other {n_positive - 1} samples with "
            "positive weight underflow to 0 (their ratio to it is below the "
            "smallest float, about 5e-324), so the fit would see a single sample."
            + (f" Use {fixes}." if fixes else "")
        )


def _class_codes(y):
    """Class labels and each sample's class index, for normalize='class'."""
    if y is None:
        raise ValueError("normalize='class' needs the class labels y; got y=None.")
    return check_class_labels(y, min_classes=1)


def _normalize_per_class(mantissa, exponent, classes, codes):
    """Rescale so that every class carries the same total weight n / n_classes."""
    n_classes = classes.shape[0]
    w = _combine(mantissa, exponent, codes=codes, n_groups=n_classes)
    totals = np.bincount(codes, weights=w, minlength=n_classes)
    if np.any(totals == 0):
        empty = classes[totals == 0].tolist()
        raise ValueError(
            f"Classes {empty} have zero total weight, so normalize='class' cannot "
            "give them their share; check sample_weight."
        )
    # Each class's largest weight is in [0.25, 2): no total overflows.
    return w * (mantissa.shape[0] / n_classes) / totals[codes]


# The settings of a weighting scheme, as difficulty_weights and the
# meta-estimators take them.
WEIGHTING_CONSTRAINTS = {
    "weighting": [StrOptions(set(WEIGHTING_MODES)), callable],
    "strength": [Interval(Real, 0, None, closed="left")],
    "normalize": [StrOptions({"mean", "class"}), None],
    "scale": [StrOptions(set(SCALES))],
    "cutoff": [StrOptions(set(CUTOFFS)), Interval(Real, 0, None, closed="left")],
}


@validate_params(
    {
        "difficulty": ["array-like"],
        "y": ["array-like", None],
        **WEIGHTING_CONSTRAINTS,
        "heldout_proba": ["array-like", None],
        "sample_weight": ["array-like", Real, None],
    },
    prefer_skip_nested_validation=True,
)
def difficulty_weights(
    difficulty,
    y=None,
    *,
    weighting="easy_first",
    strength=1.0,
    normalize="mean",
    scale="rank",
    cutoff="auto",
    heldout_proba=None,
    sample_weight=None,
):
    """Sample weights from per-sample difficulty, normalized and combined.

    The weights are computed in three steps, in this order:

    1. the weighting scheme maps the difficulty to base weights,
    2. a user ``sample_weight`` multiplies them,
    3. the product is normalized (over all samples or per class).

    Parameters
    ----------
    difficulty : array-like of shape (n_samples,)
        Per-sample difficulty, larger is harder (e.g. the held-out log loss
        of each sample). Must be finite; the input is not modified.
    y : array-like of shape (n_samples,), default=None
        Class labels. Needed by ``normalize="class"``; the cut-off modes
        estimate one cut-off per class from them; passed on to a callable
        ``weighting``.
    weighting : {"easy_first", "hard_first", "medium_first", "two_ends", \
"huber", "tukey", "trim", "none"} or callable, default="easy_first"
        The scheme; see :func:`easy_first`, :func:`hard_first`,
        :func:`medium_first` and :func:`two_ends`. "none" gives uniform base
        weights. The cut-off modes keep weight 1 up to the cut-off ``c`` of
        a sample (see ``cutoff``) and, with ``u = difficulty / c``, give
        beyond it:

        - "huber": ``u ** -s``; a sample at twice the cut-off weighs
          ``2 ** -s``. For the squared error ``s = 1/2`` is Huber's weight.
        - "tukey": ``(1 - min(1, s * (u - 1)) ** 2) ** 2``, which falls
          smoothly from 1 to 0 at ``u = 1 + 1/s`` (0 beyond).
        - "trim": ``2 ** -s``; a large ``s`` trims the samples beyond.

        "consensus" compares each label with the held-out class
        probabilities ``p`` (``heldout_proba``): weight
        ``(p_y / max_c p_c) ** s``, 1 where the models that did not see a
        sample agree on its label and small where they agree on another
        class, as they do for a wrong label.

        A callable ``f(difficulty, y) -> weights`` receives copies of
        the raw difficulty and of ``y`` (``scale`` is not applied) and must
        return one finite, non-negative weight per sample, not all zero; its
        weights are raised to the power ``strength``.
    strength : float, default=1.0
        Exponent ``s >= 0`` of the base weights (how fast the weight falls
        beyond the cut-off, for the cut-off modes); 0 gives uniform weights in
        every mode. Recommended grid: ``[0.5, 1, 2, 4, 8]``.
    normalize : {"mean", "class"} or None, default="mean"
        - "mean": rescale so that the weights average 1 over the samples.
        - "class": rescale within each class so that every class carries
          the same total weight ``n_samples / n_classes``: difficulty
          weighting and class balancing at once (with ``weighting="none"``
          this is ``class_weight="balanced"``).
        - None: return the product of steps 1 and 2 as it is.
    scale : {"rank", "standard", "none"}, default="rank"
        How the difficulty becomes the share ``q`` of easier samples; see
        :func:`easy_first`. Ignored by a callable ``weighting`` and by the
        cut-off modes.
    cutoff : {"auto", "mad", "mixture", "noise"} or float, default="auto"
        The cut-off of the cut-off modes: how :func:`difficulty_cutoff`
        estimates it (per class when ``y`` is given), or a number ``>= 0`` on
        the difficulty's own scale. Ignored by the other modes.
    heldout_proba : array-like of shape (n_samples, n_classes), default=None
        Held-out class probabilities (:attr:`DifficultyEstimator.heldout_proba_`),
        columns in the sorted order of ``y``: ``cutoff="noise"`` and
        ``weighting="consensus"`` need them, and ``cutoff="auto"`` then uses
        them.
    sample_weight : array-like of shape (n_samples,) or float, default=None
        User weights, finite and non-negative, not all zero; they multiply the
        base weights before the normalization.

    Returns
    -------
    weights : ndarray of shape (n_samples,)
        Finite, non-negative sample weights (positive for the built-in modes
        unless ``sample_weight`` has zeros or ``scale="none"`` meets a share
        of 0). The product is normalized without forming it in floats, so any
        finite weights and strength give finite weights with the promised
        mean; only a weight more than about ``1e308`` times below the largest
        (of its class) loses precision or underflows to 0.

    Raises
    ------
    ValueError
        If a cut-off mode meets a negative difficulty, or ``cutoff="noise"``
        lacks ``y`` or ``heldout_proba``;
        if a callable ``weighting`` returns NaN, infinite or negative weights;
        if every weight is zero; if all but one of the positive weights
        underflow to 0 after normalization (their ratio is beyond the float
        range); or if, with ``normalize=None``, the product overflows or
        underflows to 0 everywhere.

    See Also
    --------
    easy_first, hard_first, medium_first, two_ends : The rank-based schemes.
    difficulty_cutoff : The cut-off of the cut-off modes.

    Notes
    -----
    With base weights :math:`b_i` and user weights :math:`u_i`,
    ``normalize="mean"`` returns :math:`w_i = n\\, b_i u_i / \\sum_j b_j u_j`
    and ``normalize="class"`` returns
    :math:`w_i = \\frac{n}{K}\\, b_i u_i / \\sum_{j: y_j = y_i} b_j u_j`
    with :math:`K` classes.

    Examples
    --------
    >>> from skdifficulty import difficulty_weights
    >>> difficulty = [0.1, 0.5, 2.0, 0.3]
    >>> difficulty_weights(difficulty, strength=1.0)
    array([1.75, 0.75, 0.25, 1.25])
    >>> difficulty_weights(difficulty, [0, 0, 1, 1], normalize="class")
    array([1.4       , 0.6       , 0.33333333, 1.66666667])
    >>> difficulty_weights(difficulty, weighting="huber", cutoff=1.0, normalize=None)
    array([1. , 1. , 0.5, 1. ])
    """
    # A common factor cancels in the normalization, and avoids huge logs.
    relative = normalize is not None
    if callable(weighting):
        mantissa, exponent = _split_callable_weights(
            _callable_weights(weighting, difficulty, y), strength, relative=relative
        )
    elif weighting in LABEL_MODES:
        check_length(y, check_float_vector(difficulty, "difficulty").shape[0], "y")
        mantissa, exponent = _split_log(
            _log_consensus_weights(y, heldout_proba, strength), relative=relative
        )
    elif weighting in CUTOFF_MODES:
        d = check_float_vector(difficulty, "difficulty")
        check_length(y, d.shape[0], "y", unit="samples")
        c = _cutoffs(d, y, cutoff, heldout_proba)
        mantissa, exponent = _split_log(
            _log_cutoff_weights(d, c, weighting, strength), relative=relative
        )
    else:
        mantissa, exponent = _split_log(
            _log_weights(difficulty, weighting, strength, scale), relative=relative
        )
    n_samples = mantissa.shape[0]
    check_length(y, n_samples, "y", unit="samples")
    sw = check_weights(sample_weight, n_samples)
    if sw is not None:
        # Multiply mantissas and add exponents: nothing leaves the float range.
        sw_mantissa, sw_exponent = _split(sw)
        mantissa = mantissa * sw_mantissa
        exponent = exponent + sw_exponent
    if not np.any(mantissa > 0):
        raise ValueError(
            "Every weight is zero: the weighting gives zero weight to every sample"
            + ("." if sw is None else " that sample_weight keeps.")
        )
    if normalize == "class":
        classes, codes = _class_codes(y)
        w = _normalize_per_class(mantissa, exponent, classes, codes)
    elif normalize == "mean":
        w = _combine(mantissa, exponent)
        w *= n_samples / w.sum()  # the largest is in [0.25, 2): no overflow
    else:
        w = _combine(mantissa, exponent, scale=False)
    _check_representable(
        mantissa, w, normalize, _fixes(weighting, strength, sample_weight)
    )
    return w
