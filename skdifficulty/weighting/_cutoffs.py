"""The cut-off modes: weight 1 up to a cut-off estimated on the difficulty's scale.

The cut-off modes work on the difficulty's own scale, as robust regression
does with residuals: every sample up to a cut-off ``c`` estimated from the
data (:func:`difficulty_cutoff`, per class when labels are given) or given as
a number keeps weight 1, and only the samples beyond it lose weight. With
``u = d / c`` a sample's difficulty over its cut-off, the weight beyond the
cut-off is:

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

``s = 0`` gives uniform weights. The cut-off is a robust scale rule (the
median and the MAD), the crossing point of a two-normal mixture, or the
number of wrong labels that confident learning estimates.
"""

import numpy as np

from .._inspection import estimate_noise_share
from ..utils._compat import StrOptions, validate_params
from ..utils._robust import robust_center_scale
from ..utils._validation import check_class_labels, check_float_vector, check_length
from ._exact import _LN2, _log_power
from ._modes import _check_heldout_proba

CUTOFF_MODES = ("huber", "tukey", "trim")
"""The modes that keep weight 1 up to a cut-off on the difficulty's own scale."""

CUTOFFS = ("auto", "mad", "mixture", "noise")
"""Names accepted by the ``cutoff`` parameter (a number also is)."""

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


def _mad_cutoff(d):
    """``(median + 3 sigma) ** 2`` of ``sqrt(d)``; +inf where nothing stands out.

    For the squared error ``sqrt(d)`` is the root-mean-square held-out
    residual, and the rule is the classical three-sigma rule with a robust
    sigma, iterated over the values within the cut-off (the rule of
    ``utils._robust.robust_center_scale``, one-sided: small losses are no
    outliers).
    """
    median, sigma = robust_center_scale(np.sqrt(d), _MAD_K, one_sided=True)
    if sigma == 0:  # all tie: nobody stands out
        return np.inf
    return (median + _MAD_K * sigma) ** 2


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
    classes, codes = check_class_labels(y, min_classes=1)
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


def _sample_cutoffs(d, y, cutoff, heldout_proba):
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
