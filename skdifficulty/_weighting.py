"""Weighting schemes: turn per-sample difficulty into sample weights.

Every built-in scheme works on the *share* of the training samples on either
side of a sample's difficulty, so that one ``strength`` means the same on every
data set and every loss. With ``q`` the share of samples easier than sample
``i`` (its mid-rank by default), the weight is a power of a share:

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
"""

from numbers import Real

import numpy as np
from scipy.special import log_ndtr
from scipy.stats import rankdata
from sklearn.utils import check_array
from sklearn.utils._param_validation import Interval, StrOptions, validate_params
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    _num_samples,
    column_or_1d,
)

from ._validation import check_weights

WEIGHTING_MODES = ("easy_first", "hard_first", "medium_first", "two_ends", "none")
"""Names accepted by ``difficulty_weights(weighting=...)`` (a callable also is)."""

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


def _check_difficulty(difficulty):
    """Return a float copy of ``difficulty``; refuse NaN, inf and non-1-D input."""
    d = check_array(
        difficulty,
        ensure_2d=False,
        dtype=np.float64,
        copy=True,
        input_name="difficulty",
    )
    if d.ndim != 1:
        raise ValueError(
            f"difficulty must be a 1-D array with one value per sample; "
            f"got an array of shape {d.shape}."
        )
    return d


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
    d = _check_difficulty(difficulty)
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
        Per-sample difficulty, larger is harder (e.g. the held-out log loss).
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


def _callable_weights(func, difficulty, y):
    """Call a user weighting on copies of the inputs and check what it returns."""
    d = _check_difficulty(difficulty)
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


def _check_y_length(y, n_samples):
    """Refuse labels that do not match the difficulty sample for sample."""
    if y is not None and _num_samples(y) != n_samples:
        raise ValueError(
            f"y has {_num_samples(y)} samples but difficulty has {n_samples}."
        )


def _class_codes(y):
    """Class labels and each sample's class index, for normalize='class'."""
    if y is None:
        raise ValueError("normalize='class' needs the class labels y; got y=None.")
    y = column_or_1d(y, warn=True)
    check_classification_targets(y)
    return np.unique(y, return_inverse=True)


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


@validate_params(
    {
        "difficulty": ["array-like"],
        "y": ["array-like", None],
        "weighting": [StrOptions(set(WEIGHTING_MODES)), callable],
        "strength": [Interval(Real, 0, None, closed="left")],
        "normalize": [StrOptions({"mean", "class"}), None],
        "scale": [StrOptions(set(SCALES))],
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
        Class labels. Needed by ``normalize="class"``; passed on to a
        callable ``weighting``.
    weighting : {"easy_first", "hard_first", "medium_first", "two_ends", \
"none"} or callable, default="easy_first"
        The scheme; see :func:`easy_first`, :func:`hard_first`,
        :func:`medium_first` and :func:`two_ends`. "none" gives uniform base
        weights. A callable ``f(difficulty, y) -> weights`` receives copies of
        the raw difficulty and of ``y`` (``scale`` is not applied) and must
        return one finite, non-negative weight per sample, not all zero; its
        weights are raised to the power ``strength``.
    strength : float, default=1.0
        Exponent ``s >= 0`` of the base weights; 0 gives uniform weights in
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
        :func:`easy_first`. Ignored by a callable ``weighting``.
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
        If a callable ``weighting`` returns NaN, infinite or negative weights;
        if every weight is zero; if all but one of the positive weights
        underflow to 0 after normalization (their ratio is beyond the float
        range); or if, with ``normalize=None``, the product overflows or
        underflows to 0 everywhere.

    See Also
    --------
    easy_first, hard_first, medium_first, two_ends : The built-in schemes.

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
    """
    # A common factor cancels in the normalization, and avoids huge logs.
    relative = normalize is not None
    if callable(weighting):
        mantissa, exponent = _split_callable_weights(
            _callable_weights(weighting, difficulty, y), strength, relative=relative
        )
    else:
        mantissa, exponent = _split_log(
            _log_weights(difficulty, weighting, strength, scale), relative=relative
        )
    n_samples = mantissa.shape[0]
    _check_y_length(y, n_samples)
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
